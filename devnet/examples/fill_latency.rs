//! Broadcast → block → fill on loopback (issue 17's Measure section): a benchmark, not a test;
//! run it alone on a quiet machine.
//!
//! `cargo run --profile bench -p dexlink-devnet --example fill_latency -- [SECONDS] [RATE…]`
//! (defaults 10 s and the rates 20, 100 and 400 orders/s).
//!
//! For each block time (1 s, the `dexlink devnet` default, and 100 ms) and each rate, a fresh
//! devnet runs in this process on its own two-thread runtime, with the chain's fees. A maker
//! rests one large sell on BNB_BUSD-BD1; a taker, subscribed to its own `orders` stream on the
//! WebSocket, broadcasts buys that cross it (0.01 BNB each, GTE, signed here with the SDK and
//! sent with the SDK client, one at a time on one connection) at RATE orders per second for
//! SECONDS. Each order's latency is the time from just before its broadcast to the first
//! execution report of a fill for it on the stream. Printed: the broadcast rate reached, the fill
//! rate sustained (fills over the time from the first broadcast to the last fill), p50, p99 and
//! max latency, and the load average.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dexlink::PrivateKey;
use dexlink::address::{Address, ChainId};
use dexlink::amount::Fixed8;
use dexlink::client::stream::{DexStream, ExecutionType, StreamConfig, StreamEvent, Subscription};
use dexlink::client::{ClientConfig, DexClient};
use dexlink::tx::{LimitOrder, OrderId, Side, TimeInForce, UnsignedTx};
use dexlink_devnet::{BlockMode, DevnetConfig, spawn};

const SYMBOL: &str = "BNB_BUSD-BD1";

fn f8(s: &str) -> Fixed8 {
    Fixed8::parse(s).expect("constant amounts are valid")
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn order_tx(
    chain: &ChainId,
    key: &PrivateKey,
    addr: &Address,
    account_number: u64,
    sequence: u64,
    side: Side,
    quantity: Fixed8,
) -> Vec<u8> {
    let o = LimitOrder {
        sender: addr.clone(),
        symbol: SYMBOL.into(),
        side,
        price: f8("300"),
        quantity,
        time_in_force: TimeInForce::Gte,
    };
    UnsignedTx::new(chain.clone(), account_number, sequence, o)
        .and_then(|t| t.sign(key))
        .expect("sign")
        .to_bytes()
}

/// Per order: the broadcast instant, then the fill's arrival on the stream.
type Times = Arc<Mutex<HashMap<OrderId, (Instant, Option<Instant>)>>>;

struct Row {
    sent: usize,
    send_rate: f64,
    fills: usize,
    fill_rate: f64,
    p50: f64,
    p99: f64,
    max: f64,
}

async fn run(url: &str, block: Duration, seconds: u64, rate: u64) -> Row {
    let client = DexClient::new(url, &ClientConfig::default()).expect("client");
    let chain = client.chain_id().await.expect("chain id");
    let hrp = dexlink::address::Hrp::testnet();
    let (maker, taker) = (PrivateKey::generate(), PrivateKey::generate());
    let (m_addr, t_addr) = (maker.address(&hrp), taker.address(&hrp));
    let n = (seconds * rate) as usize;
    client
        .devnet_faucet(&m_addr, "BNB", &(n / 100 + 10).to_string())
        .await
        .expect("faucet");
    client
        .devnet_faucet(&t_addr, "BUSD-BD1", &(3 * n + 100).to_string())
        .await
        .expect("faucet");
    client
        .devnet_faucet(&t_addr, "BNB", "100")
        .await
        .expect("faucet");

    let mut stream = DexStream::connect(url, &StreamConfig::default())
        .await
        .expect("stream");
    for a in [&t_addr, &m_addr] {
        stream
            .subscribe(&Subscription::Orders(a.clone()))
            .await
            .expect("subscribe");
    }
    // The maker's sell, enough for every buy; its report on the stream shows the subscriptions
    // are live before the clock starts.
    let m_acct = client.account(&m_addr).await.expect("maker account");
    let sell = order_tx(
        &chain,
        &maker,
        &m_addr,
        m_acct.account_number,
        m_acct.sequence,
        Side::Sell,
        Fixed8::from_units(n as i64 * 1_000_000 + 1_000_000).expect("quantity"),
    );
    client.broadcast_once(&sell).await.expect("maker's sell");
    let maker_id = OrderId::new(&m_addr, m_acct.sequence).expect("order id");
    loop {
        if let StreamEvent::Orders(reports) = stream.next_event().await.expect("stream")
            && reports.iter().any(|r| r.order_id == maker_id)
        {
            break;
        }
    }

    let times: Times = Arc::new(Mutex::new(HashMap::with_capacity(n)));
    let reader = {
        let times = times.clone();
        tokio::spawn(async move {
            let mut filled = 0usize;
            while filled < n {
                let Ok(ev) = stream.next_event().await else {
                    break;
                };
                let now = Instant::now();
                let StreamEvent::Orders(reports) = ev else {
                    continue;
                };
                let mut t = times.lock().expect("times");
                for r in reports {
                    if r.execution_type != ExecutionType::Trade {
                        continue;
                    }
                    if let Some((_, got @ None)) = t.get_mut(&r.order_id) {
                        *got = Some(now);
                        filled += 1;
                    }
                }
            }
        })
    };

    let t_acct = client.account(&t_addr).await.expect("taker account");
    let every = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now();
    for i in 0..n {
        let due = start + every * i as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
        let seq = t_acct.sequence + i as u64;
        let bytes = order_tx(
            &chain,
            &taker,
            &t_addr,
            t_acct.account_number,
            seq,
            Side::Buy,
            f8("0.01"),
        );
        let id = OrderId::new(&t_addr, seq).expect("order id");
        times
            .lock()
            .expect("times")
            .insert(id, (Instant::now(), None));
        client.broadcast_once(&bytes).await.expect("taker's buy");
    }
    let sent_in = start.elapsed();
    // Every fill arrives within a few blocks; give up after 10 s more.
    let _ = tokio::time::timeout(Duration::from_secs(10) + block * 4, reader).await;

    let t = times.lock().expect("times");
    let mut lat: Vec<Duration> = t
        .values()
        .filter_map(|(s, f)| Some(f.as_ref()?.duration_since(*s)))
        .collect();
    let last_fill = t.values().filter_map(|(_, f)| *f).max();
    lat.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: usize| {
        lat.get(((lat.len() * p).div_ceil(100)).saturating_sub(1))
            .map_or(f64::NAN, |d| ms(*d))
    };
    Row {
        sent: n,
        send_rate: n as f64 / sent_in.as_secs_f64(),
        fills: lat.len(),
        fill_rate: last_fill.map_or(0.0, |l| lat.len() as f64 / (l - start).as_secs_f64()),
        p50: pct(50),
        p99: pct(99),
        max: lat.last().map_or(f64::NAN, |d| ms(*d)),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().map_or(10, |a| a.parse().expect("SECONDS"));
    let mut rates: Vec<u64> = args.map(|a| a.parse().expect("RATE")).collect();
    if rates.is_empty() {
        rates = vec![20, 100, 400];
    }
    // The node on its own runtime, as a separate `dexlink devnet` would be; this program's
    // client on another.
    let dev_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let cli_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "{:>6} {:>6} {:>6} {:>9} {:>6} {:>9} {:>9} {:>9} {:>9} {:>5}",
        "block", "rate", "sent", "sent/s", "fills", "fills/s", "p50 ms", "p99 ms", "max ms", "load"
    );
    for block in [Duration::from_secs(1), Duration::from_millis(100)] {
        for &rate in &rates {
            let running = dev_rt
                .block_on(spawn(DevnetConfig {
                    blocks: BlockMode::Interval(block),
                    ..DevnetConfig::default()
                }))
                .expect("start the devnet");
            let r = cli_rt.block_on(run(running.base_url(), block, seconds, rate));
            dev_rt.block_on(running.stop());
            println!(
                "{:>6} {:>6} {:>6} {:>9.1} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>5}",
                format!("{}ms", block.as_millis()),
                rate,
                r.sent,
                r.send_rate,
                r.fills,
                r.fill_rate,
                r.p50,
                r.p99,
                r.max,
                load()
            );
        }
    }
}
