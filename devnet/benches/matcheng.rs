//! Matching cost per block as the book grows (issue 17's Measure section): a benchmark, not a
//! test; nothing here is asserted.
//!
//! `cargo bench -p dexlink-devnet --bench matcheng -- [FILTER] [--runs N]`
//!
//! Every case starts from the same state, cloned before each run (the clone and the drop are not
//! timed), and prints the median and the worst run of both the wall time and the thread's CPU
//! time (`CLOCK_THREAD_CPUTIME_ID`). On a shared, loaded machine the wall time includes waiting
//! for a core; the CPU time is what the target "under 10 ms per block on one core" is about.
//!
//! * `engine` — [`match_round`] alone on one market: N resting orders (no cross, 1,000 price
//!   levels a side, placed over 50 earlier blocks) and a block of K new orders that cross up to
//!   10 levels deep (a third IOC): the common case, where the overlapped range is small.
//! * `engine all-crossed` — N new orders in one block on an empty book, spread over 1,000 levels
//!   a side: the worst case, every order in the auction.
//! * `block` — a whole devnet block (`block::produce` through a journal): inclusion, the round,
//!   and settlement of every fill with fees, balances and order records, for the same books,
//!   one market or 100 (each with its own accounts' holdings). `+ delta` adds the journal's delta,
//!   what a devnet with a state file (`--state`) appends to its log after each block.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dexlink_devnet::FeeConfig;
use dexlink_devnet::block::{self, Books};
use dexlink_devnet::journal::Journal;
use dexlink_devnet::matcheng::{
    Book, NewOrder, RestingOrder, RoundParams, Side, TimeInForce, match_round,
};
use dexlink_devnet::state::Ledger;

const LOT: i64 = 100_000;
const MID: i64 = 1_000_000_000;
const TICK: i64 = 10_000;

/// A deterministic generator (no dependency): xorshift64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
}

fn resting_book(n: usize) -> Book {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut book = Book::new();
    for i in 0..n {
        let side = if i % 2 == 0 { Side::Buy } else { Side::Sell };
        let level = 1 + rng.below(1000);
        let price = match side {
            Side::Buy => MID - level * TICK,
            _ => MID + level * TICK,
        };
        let order = RestingOrder {
            id: format!("r{i}"),
            height: 1 + rng.below(50),
            qty: LOT * (1 + rng.below(20)),
            cum_qty: 0,
        };
        book.insert(side, price, order).expect("valid order");
    }
    book
}

fn crossing_block(n: usize, depth: i64, seed: u64) -> Vec<NewOrder> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let side = if i % 2 == 0 { Side::Buy } else { Side::Sell };
            let level = rng.below(depth as u64 + 1);
            let price = match side {
                Side::Buy => MID + level * TICK,
                _ => MID - level * TICK,
            };
            NewOrder {
                id: format!("n{i}"),
                side,
                price,
                qty: LOT * (1 + rng.below(20)),
                time_in_force: if i % 3 == 0 {
                    TimeInForce::Ioc
                } else {
                    TimeInForce::Gte
                },
            }
        })
        .collect()
}

fn params() -> RoundParams {
    RoundParams {
        height: 100,
        last_price: MID,
        lot_size: LOT,
        price_limit_pct: 0.05,
    }
}

/// A ledger with `markets` markets of `resting` resting orders each (owned by 100 accounts that
/// hold plenty of every asset) and a mempool of `new` crossing orders per market, with its books.
fn block_ledger(markets: usize, resting: usize, new: usize) -> (Ledger, Books) {
    use dexlink_devnet::state::{
        AccountState, Holding, MarketState, PendingTx, RestingOrder as Order,
    };
    let hrp = dexlink::address::Hrp::testnet();
    let users: Vec<String> = (0..100u8)
        .map(|i| dexlink::Address::new(hrp.clone(), [i; 20]).to_string())
        .collect();
    let mut l = Ledger {
        chain_id: "Binance-Chain-Ganges".into(),
        hrp: "tbnb".into(),
        height: 100,
        ..Ledger::default()
    };
    let plenty = Holding {
        free: 1 << 50,
        locked: 1 << 50,
        frozen: 0,
    };
    for (n, u) in users.iter().enumerate() {
        let mut balances = std::collections::BTreeMap::new();
        for m in 0..markets {
            balances.insert(format!("B{m}"), plenty.clone());
        }
        balances.insert("BNB".into(), plenty.clone());
        l.accounts.insert(
            u.clone(),
            AccountState {
                account_number: n as i64,
                sequence: 0,
                balances,
                public_key: None,
            },
        );
    }
    l.next_account_number = 100;
    for m in 0..markets {
        let market = MarketState {
            base: format!("B{m}"),
            quote: "BNB".into(),
            tick_size: TICK,
            lot_size: LOT,
            list_price: MID,
        };
        let symbol = market.symbol();
        l.markets.insert(symbol.clone(), market);
        let book = resting_book(resting);
        let block = crossing_block(new, 10, 7 + m as u64);
        let mut k = 0usize;
        for side in [Side::Buy, Side::Sell] {
            for (price, orders) in book.levels(side) {
                for o in orders {
                    let id = format!("{symbol}-{}", o.id);
                    l.orders.insert(
                        id.clone(),
                        Order {
                            order_id: id,
                            symbol: symbol.clone(),
                            owner: users[k % 100].clone(),
                            side: if side == Side::Buy { 1 } else { 2 },
                            price,
                            quantity: o.qty,
                            locked_asset: if side == Side::Buy {
                                "BNB".into()
                            } else {
                                format!("B{m}")
                            },
                            locked_amount: if side == Side::Buy {
                                price / 100 * o.qty / 1_000_000
                            } else {
                                o.qty
                            },
                            height: o.height,
                            arrival: k as i64,
                            ..Order::default()
                        },
                    );
                    k += 1;
                }
            }
        }
        for o in block {
            let id = format!("{symbol}-{}", o.id);
            l.mempool.push(PendingTx {
                hash: format!("{:064X}", l.mempool.len()),
                order: Some(id.clone()),
                cancel: None,
            });
            let buy = o.side == Side::Buy;
            l.orders.insert(
                id.clone(),
                Order {
                    order_id: id,
                    symbol: symbol.clone(),
                    owner: users[k % 100].clone(),
                    side: if buy { 1 } else { 2 },
                    price: o.price,
                    quantity: o.qty,
                    time_in_force: if o.time_in_force == TimeInForce::Ioc {
                        3
                    } else {
                        1
                    },
                    locked_asset: if buy { "BNB".into() } else { format!("B{m}") },
                    locked_amount: if buy {
                        o.price / 100 * o.qty / 1_000_000
                    } else {
                        o.qty
                    },
                    pending: true,
                    ..Order::default()
                },
            );
            k += 1;
        }
    }
    let books = Books::rebuild(&l);
    (l, books)
}

/// CPU time this thread has used.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid out-pointer to a timespec; the clock id is a constant Linux supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The load average over the last minute, as `uptime` shows it.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Runs `run` on a fresh copy of the input `runs` times (after one untimed warm-up) and prints
/// one row: median and worst of wall and thread CPU time, in milliseconds, and `what` the
/// last run reports (trades, say).
fn measure<S, R>(
    name: &str,
    runs: usize,
    mut setup: impl FnMut() -> S,
    mut run: impl FnMut(&mut S) -> R,
    what: impl Fn(&R) -> String,
) {
    let mut wall = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    let mut last = String::new();
    for i in 0..=runs {
        let mut input = setup();
        let (w0, c0) = (Instant::now(), thread_cpu());
        let out = run(&mut input);
        let (c1, w1) = (thread_cpu(), Instant::now());
        if i > 0 {
            wall.push(w1 - w0);
            cpu.push(c1 - c0);
        }
        last = what(&out);
        // Dropped outside the timed part.
        black_box((input, out));
    }
    wall.sort();
    cpu.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<44} {:>9.3} {:>9.3} {:>9.3} {:>9.3}  {last:<22} {:>5}",
        ms(cpu[runs / 2]),
        ms(cpu[runs - 1]),
        ms(wall[runs / 2]),
        ms(wall[runs - 1]),
        load()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; the rest is ours.
    let mut filter = String::new();
    let mut runs = 15usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            s if s.starts_with("--") => {}
            s => filter = s.to_string(),
        }
    }
    let runs = runs.max(1);
    let wanted = |name: &str| name.contains(&filter);
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>9}  {:<22} {:>5}",
        "case (N resting, K new per block)",
        "cpu p50",
        "cpu max",
        "wall p50",
        "wall max",
        "result",
        "load"
    );
    println!("{:<44} {:>9} {:>9} {:>9} {:>9}", "", "ms", "ms", "ms", "ms");

    for n in [1_000usize, 10_000, 100_000] {
        let book = resting_book(n);
        for k in [100usize, 1_000] {
            let name = format!("engine N={n} K={k}");
            if !wanted(&name) {
                continue;
            }
            let block = crossing_block(k, 10, 7);
            measure(
                &name,
                runs,
                || book.clone(),
                |bk| match_round(bk, &block, &params()).expect("round"),
                |o| format!("{} trades", o.trades.len()),
            );
        }
    }
    for n in [1_000usize, 10_000, 100_000] {
        let name = format!("engine all-crossed N={n}");
        if !wanted(&name) {
            continue;
        }
        let block = crossing_block(n, 1000, 11);
        measure(
            &name,
            runs,
            Book::new,
            |bk| match_round(bk, &block, &params()).expect("round"),
            |o| format!("{} trades", o.trades.len()),
        );
    }

    let fees = FeeConfig::default();
    // (markets, resting per market, new per market, also the state log's delta)
    let cases: [(usize, usize, usize, bool); 9] = [
        (1, 1_000, 100, false),
        (1, 1_000, 1_000, false),
        (1, 10_000, 100, false),
        (1, 10_000, 1_000, false),
        (1, 10_000, 1_000, true),
        (1, 100_000, 100, false),
        (1, 100_000, 1_000, false),
        (100, 1_000, 10, false),
        (100, 1_000, 100, false),
    ];
    for (markets, resting, new, delta) in cases {
        let mut name = if markets == 1 {
            format!("block N={resting} K={new}")
        } else {
            format!("block {markets} markets x N={resting} K={new}")
        };
        if delta {
            name.push_str(" + delta");
        }
        if !wanted(&name) {
            continue;
        }
        let (ledger, books) = block_ledger(markets, resting, new);
        measure(
            &name,
            runs,
            || (ledger.clone(), books.clone()),
            |(l, bk)| {
                let mut j = Journal::new(l);
                let ev = block::produce(&mut j, bk, &fees, 1_700_000_000_000);
                // What a devnet with a state file computes before appending it to the log.
                let delta = delta.then(|| j.delta());
                j.commit();
                (ev, delta)
            },
            |(ev, _)| format!("{} trades", ev.trades.len()),
        );
    }
}
