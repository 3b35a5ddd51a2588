//! Matching cost per round on one market as the book grows (`cargo bench -p dexlink-devnet`).
//!
//! * `cross_100`: N resting orders (no cross, 1000 price levels a side) and a block of 100 new
//!   orders that cross 10 levels deep: the common case, where the overlapped range is small.
//! * `all_crossed`: N new orders in one block whose whole book is the overlapped range: the worst
//!   case, every order in the auction.
//!
//! * `block/one_market`: a whole devnet block (`block::produce`: inclusion, the round, and
//!   settlement of every fill with fees, balances and order records) with N resting orders on one
//!   market and 100 new crossing orders.
//! * `block/100_markets`: the same with 100 markets of 1,000 resting orders and 20 new crossing
//!   orders each.
//!
//! The target is a 10k-order book matched in under 10 ms per round on one core.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
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

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("match_round");
    g.sample_size(20);
    for n in [1_000usize, 10_000, 100_000] {
        let book = resting_book(n);
        let block = crossing_block(100, 10, 7);
        g.bench_with_input(BenchmarkId::new("cross_100", n), &n, |b, _| {
            b.iter_batched(
                || book.clone(),
                // Return the book so that dropping it is not timed.
                |mut bk| {
                    let out = match_round(&mut bk, &block, &params()).expect("round");
                    black_box((bk, out))
                },
                BatchSize::LargeInput,
            )
        });
        let block = crossing_block(n, 1000, 11);
        g.bench_with_input(BenchmarkId::new("all_crossed", n), &n, |b, _| {
            b.iter_batched(
                Book::new,
                |mut bk| {
                    let out = match_round(&mut bk, &block, &params()).expect("round");
                    black_box((bk, out))
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
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

fn bench_block(c: &mut Criterion) {
    let mut g = c.benchmark_group("block");
    g.sample_size(10);
    let fees = FeeConfig::default();
    let cases: [(&str, usize, usize, usize); 4] = [
        ("one_market", 1, 1_000, 100),
        ("one_market", 1, 10_000, 100),
        ("one_market", 1, 100_000, 100),
        ("100_markets", 100, 1_000, 20),
    ];
    for (name, markets, resting, new) in cases {
        let (ledger, books) = block_ledger(markets, resting, new);
        g.bench_with_input(
            BenchmarkId::new(name, markets * resting),
            &resting,
            |b, _| {
                b.iter_batched(
                    || (ledger.clone(), books.clone()),
                    |(mut l, mut bk)| {
                        let mut j = Journal::new(&mut l);
                        let ev = block::produce(&mut j, &mut bk, &fees, 1_700_000_000_000);
                        j.commit();
                        black_box(ev.trades.len());
                        (l, bk)
                    },
                    BatchSize::LargeInput,
                )
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench, bench_block);
criterion_main!(benches);
