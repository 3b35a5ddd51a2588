//! Benchmark of the signer agent (issue 16), not a test: run it alone on a quiet machine.
//!
//! `cargo run -p dexlink-tests --example agent_bench -- [ORDERS] [BOT_ORDERS]`
//! (defaults 200 and 2000). It drives a dev build of `dexlink`; for the shipped binary, build it
//! and name it: `cargo build --release -p dexlink-cli && CARGO_BIN_EXE_dexlink=target/release/dexlink
//! cargo run --release -p dexlink-tests --example agent_bench`.
//!
//! 1. End to end: `dexlink order place … --yes` against a devnet, ORDERS times with the key
//!    store (the default scrypt cost, 2^18: the tests' cheap cost is not used here) and ORDERS
//!    times through a running agent, in one run; median and p99 of each.
//! 2. The bot path: BOT_ORDERS new orders signed through the socket protocol by this program
//!    (`AgentClient::bnb_sign`, one connection), orders per second.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Devnet, Home, V7_KEY, V7_TBNB, bin};
use dexlink::agent::AgentClient;
use dexlink::tx::{LimitOrder, Side, TimeInForce};
use dexlink::{Address, ChainId, UnsignedTx};

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(v[v.len() / 2]);
    let p99 = ms(v[((v.len() * 99).div_ceil(100)).saturating_sub(1)]);
    (median, p99)
}

fn order(h: &Home, url: &str, agent: bool) -> Duration {
    let mut c = Command::new(bin());
    for v in [
        "DEXLINK_HOME",
        "DEXLINK_PASSWORD",
        "DEXLINK_DEX",
        "DEXLINK_AGENT",
    ] {
        c.env_remove(v);
    }
    // No DEXLINK_TEST_KDF_LOG_N: nothing here uses the tests' cheap cost.
    c.env_remove(common::TEST_KDF_VAR);
    c.arg("--home").arg(&h.home);
    if !agent {
        c.arg("--no-agent").arg("--password-file").arg(&h.pwfile);
    }
    c.args([
        "--json",
        "order",
        "place",
        "alice",
        "--symbol",
        "BNB_BUSD-BD1",
        "--side",
        "buy",
        "--price",
        "1",
        "--quantity",
        "0.01",
        "--dex",
        url,
        "--yes",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let t = Instant::now();
    let out = c.output().expect("run dexlink");
    let took = t.elapsed();
    assert!(
        out.status.success(),
        "order failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(200, |a| a.parse().expect("ORDERS"));
    let bot: u64 = args.next().map_or(2000, |a| a.parse().expect("BOT_ORDERS"));
    let d = Devnet::start(&[]);
    let h = Home::new();
    // The entry at the default scrypt cost.
    let mut c = Command::new(bin());
    c.env_remove(common::TEST_KDF_VAR)
        .env_remove("DEXLINK_HOME")
        .arg("--home")
        .arg(&h.home)
        .arg("--password-file")
        .arg(&h.pwfile)
        .args([
            "keys",
            "import",
            "alice",
            "--private-key",
            "--network",
            "testnet",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{V7_KEY}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    d.fund(V7_TBNB, "BUSD-BD1", "100000");

    // The agent, in the foreground as a child.
    let mut agent = Command::new(bin())
        .env_remove("DEXLINK_HOME")
        .arg("--home")
        .arg(&h.home)
        .args(["agent", "start", "--foreground"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut socket = String::new();
    BufReader::new(agent.stdout.take().unwrap())
        .read_line(&mut socket)
        .unwrap();
    let socket = std::path::PathBuf::from(socket.trim());
    let status = Command::new(bin())
        .env_remove("DEXLINK_HOME")
        .arg("--home")
        .arg(&h.home)
        .arg("--password-file")
        .arg(&h.pwfile)
        .args(["agent", "unlock", "alice", "--ttl", "1h"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());

    // Side by side: alternate so both see the same machine load.
    let (mut with, mut without) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        without.push(order(&h, &d.url, false));
        with.push(order(&h, &d.url, true));
    }
    let (wm, wp) = stats(with);
    let (om, op) = stats(without);
    println!(
        "order place --yes against the devnet, {n} orders each (end to end, process start included):"
    );
    println!("  key store (scrypt 2^18): median {om:8.1} ms  p99 {op:8.1} ms");
    println!("  agent:                   median {wm:8.1} ms  p99 {wp:8.1} ms");
    println!("  speed-up of the median:  {:.1}x", om / wm);

    // The bot path: sign through the socket from this program.
    let mut client = AgentClient::connect(&socket).unwrap();
    let sender = Address::parse(V7_TBNB).unwrap();
    let chain = ChainId::new("Binance-Chain-Ganges").unwrap();
    let txs: Vec<UnsignedTx> = (0..bot)
        .map(|seq| {
            let order = LimitOrder {
                sender: sender.clone(),
                symbol: "BNB_BUSD-BD1".into(),
                side: Side::Buy,
                price: "1".parse().unwrap(),
                quantity: "0.01".parse().unwrap(),
                time_in_force: TimeInForce::Gte,
            };
            UnsignedTx::new(chain.clone(), 0, seq + 1_000_000, order).unwrap()
        })
        .collect();
    let t = Instant::now();
    for tx in &txs {
        client.bnb_sign(tx).unwrap();
    }
    let took = t.elapsed();
    println!(
        "bot path: {bot} orders signed through the socket in {:.2} s: {:.0} orders/s",
        took.as_secs_f64(),
        bot as f64 / took.as_secs_f64()
    );
    // SAFETY: a signal to the agent we started.
    unsafe {
        libc::kill(agent.id() as i32, libc::SIGTERM);
    }
    let _ = agent.wait();
}
