//! Matching cost per round on one market as the book grows (`cargo bench -p dexlink-devnet`).
//!
//! * `cross_100`: N resting orders (no cross, 1000 price levels a side) and a block of 100 new
//!   orders that cross 10 levels deep: the common case, where the overlapped range is small.
//! * `all_crossed`: N new orders in one block whose whole book is the overlapped range: the worst
//!   case, every order in the auction.
//!
//! The target is a 10k-order book matched in under 10 ms per round on one core.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use dexlink_devnet::matcheng::{
    Book, NewOrder, RestingOrder, RoundParams, Side, TimeInForce, match_round,
};

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

criterion_group!(benches, bench);
criterion_main!(benches);
