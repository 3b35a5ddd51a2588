//! dexlink-devnet: a local DEX node on loopback that speaks the Binance DEX API with real checks.
//!
//! It is the embedded default for trying dexlink and for every end-to-end test, as anvil is for
//! Foundry: strict transaction decoding, signature, chain id, account number and sequence
//! checks, balances, tick/lot sizes and locked funds, link proofs, and a faucet. Transactions
//! are accepted into a mempool and included in blocks ([`BlockMode`]); each block runs the
//! chain's auction ([`matcheng`]) per market and settles the fills with the chain's fees
//! ([`block`]).
//!
//! Hostile or careless input is bounded everywhere: the HTTP server caps connections, request
//! head and body read times, idle time and body size ([`Limits`], see [`server`]); fault delays
//! are capped ([`faults::MAX_DELAY_MS`]); the state file is checksummed, verified line by line
//! and validated before the node answers, a damaged one stops the start, and only an explicit
//! repair ([`DevnetConfig::state_repair`], `dexlink devnet --state-repair`) changes it (see
//! [`statelog`]).

mod api;
pub mod block;
mod broadcast;
pub mod faults;
pub mod journal;
mod market;
pub mod matcheng;
pub mod server;
pub mod state;
pub mod statelog;
mod ws;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use dexlink::time::Timestamp;
use thiserror::Error;
use tokio::net::TcpListener;

use block::{BlockEvents, Books};
use journal::Journal;
use state::{Ledger, MarketState};

pub use block::{BlockMode, BreatheConfig, FeeConfig};
use statelog::{StateError, StateFile};

pub use server::Limits;

/// Why the devnet could not start.
#[derive(Debug, Error)]
pub enum DevnetError {
    /// Binding the port failed.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
    /// The state file could not be read, verified, validated or repaired.
    #[error("cannot load devnet state from {path}: {source}")]
    State {
        /// The file.
        path: String,
        /// Why.
        source: StateError,
    },
    /// A configuration value is invalid.
    #[error("invalid devnet configuration: {0}")]
    Config(String),
}

/// How to start a devnet.
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Chain id (default `Binance-Chain-Ganges`).
    pub chain_id: String,
    /// Address HRP (default `tbnb`).
    pub hrp: String,
    /// Markets.
    pub markets: Vec<MarketState>,
    /// Genesis balances: (address, asset, Fixed8 units).
    pub genesis: Vec<(String, String, i64)>,
    /// Persist state here (a snapshot plus an fsync'd log of committed requests, see
    /// [`statelog`]) and reload it on start.
    pub state: Option<PathBuf>,
    /// If the state file's log has a damaged line, keep a copy of the file
    /// (`<file>.corrupt-<unix time>`) and cut it before that line instead of refusing to start
    /// (see [`statelog::repair`]).
    pub state_repair: bool,
    /// Bounds on HTTP clients.
    pub limits: Limits,
    /// When blocks are made (default [`BlockMode::EachTx`], so an embedding test sees every
    /// broadcast settled when it is answered; `dexlink devnet` makes one a second).
    pub blocks: BlockMode,
    /// The DEX fees (default: the chain's genesis parameters).
    pub fees: FeeConfig,
    /// Breathe blocks and order expiry (default: the chain's, once a UTC day, orders kept 3
    /// days beyond the best 500 price levels and 30 days within them).
    pub breathe: BreatheConfig,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        let market = |base: &str, quote: &str, tick: i64, lot: i64, list: i64| MarketState {
            base: base.into(),
            quote: quote.into(),
            tick_size: tick,
            lot_size: lot,
            list_price: list,
        };
        Self {
            port: 0,
            chain_id: dexlink::address::TESTNET_CHAIN_ID.into(),
            hrp: "tbnb".into(),
            markets: vec![
                market("BNB", "BUSD-BD1", 10_000, 1_000_000, 30_000_000_000),
                market("BTCB-1DE", "BNB", 1, 100_000, 5_000_000_000),
                market("NNB-338", "BNB", 1, 100_000_000, 136_350_000),
            ],
            genesis: vec![],
            state: None,
            state_repair: false,
            limits: Limits::default(),
            blocks: BlockMode::EachTx,
            fees: FeeConfig::default(),
            breathe: BreatheConfig::default(),
        }
    }
}

/// Parses a decimal amount (at most 8 decimals) into Fixed8 units.
pub fn parse_fixed8(s: &str) -> Result<i64, String> {
    dexlink::amount::Fixed8::parse(s)
        .map(|f| f.units())
        .map_err(|e| e.to_string())
}

/// A running devnet's shared state.
#[derive(Debug)]
pub struct Devnet {
    ledger: Mutex<Ledger>,
    /// Locked only while the ledger lock is held, so requests reach the file in commit order.
    state: Option<Mutex<StateFile>>,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// Faults to inject (tests).
    pub faults: faults::FaultSwitch,
    limits: Limits,
    /// Each market's resting book; locked only while the ledger lock is held.
    books: Mutex<Books>,
    /// Set while a block changes the books; a block that finds it set (a panic, a failed save)
    /// rebuilds them from the ledger first.
    books_dirty: std::sync::atomic::AtomicBool,
    blocks: BlockMode,
    fees: FeeConfig,
    breathe: BreatheConfig,
    events: tokio::sync::broadcast::Sender<Arc<BlockEvents>>,
}

impl Devnet {
    /// A read view of the ledger.
    pub fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies `f` to the ledger through a [`Journal`] and commits the result (persisting it
    /// first when a state file is configured) only if `f` succeeds: a failed request, a failed
    /// save or a panic changes nothing. The cost is that of the entries `f` touches, not of the
    /// whole ledger: the save appends only those entries to the state log (plus, now and then,
    /// a snapshot that compacts the log, O(1) amortised per logged byte).
    pub fn mutate<T, E: From<String>>(
        &self,
        f: impl FnOnce(&mut Journal<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut guard = self.ledger();
        // Dropping the journal without `commit` (the `?`s below, or a panic) rolls it back
        // before the lock is released, so no reader ever sees a half-applied request.
        let mut journal = Journal::new(&mut guard);
        let out = f(&mut journal)?;
        if let Some(state) = &self.state
            && let delta = journal.delta()
            && !delta.is_empty()
        {
            state
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .persist(&journal, &delta)
                .map_err(|e| E::from(format!("cannot save devnet state: {e}")))?;
        }
        journal.commit();
        Ok(out)
    }

    /// Makes the next block now (see [`block`]): includes the mempool, matches and settles,
    /// expires orders if it is a breathe block, persists the block as one change, and
    /// publishes what it did to the streams. On a failed save nothing changes.
    pub fn produce_block(&self) -> Result<Arc<BlockEvents>, String> {
        self.make_block(false)
    }

    /// Makes the next block now as a breathe block, whatever the clock says (see
    /// [`BreatheConfig`]): for tests of order expiry.
    pub fn breathe_block(&self) -> Result<Arc<BlockEvents>, String> {
        self.make_block(true)
    }

    fn make_block(&self, force_breathe: bool) -> Result<Arc<BlockEvents>, String> {
        use std::sync::atomic::Ordering;
        let mut guard = self.ledger();
        let mut books = self.books.lock().unwrap_or_else(|p| p.into_inner());
        if self.books_dirty.swap(true, Ordering::SeqCst) {
            *books = Books::rebuild(&guard);
        }
        let now_ms = self.now_ms();
        let mut journal = Journal::new(&mut guard);
        let events = block::produce_with(
            &mut journal,
            &mut books,
            &self.fees,
            &self.breathe,
            force_breathe,
            now_ms,
        );
        if let Some(state) = &self.state
            && let delta = journal.delta()
            && !delta.is_empty()
            && let Err(e) = state
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .persist(&journal, &delta)
        {
            drop(journal);
            *books = Books::rebuild(&guard);
            self.books_dirty.store(false, Ordering::SeqCst);
            return Err(format!("cannot save devnet state: {e}"));
        }
        journal.commit();
        self.books_dirty.store(false, Ordering::SeqCst);
        let events = Arc::new(events);
        // Nobody listening is fine.
        let _ = self.events.send(events.clone());
        Ok(events)
    }

    /// Runs `f` on the books (read only), under the ledger lock so they match the ledger.
    pub fn with_books<T>(&self, f: impl FnOnce(&Ledger, &Books) -> T) -> T {
        let guard = self.ledger();
        let books = self.books.lock().unwrap_or_else(|p| p.into_inner());
        f(&guard, &books)
    }

    /// Block events as they happen (for the WebSocket streams).
    pub fn subscribe_blocks(&self) -> tokio::sync::broadcast::Receiver<Arc<BlockEvents>> {
        self.events.subscribe()
    }

    /// When blocks are made.
    pub fn block_mode(&self) -> BlockMode {
        self.blocks
    }

    /// The DEX fees.
    pub fn fees(&self) -> &FeeConfig {
        &self.fees
    }

    /// The devnet's clock in milliseconds since the epoch.
    pub fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }

    /// The bounds on HTTP clients this devnet serves under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The devnet's clock.
    pub fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A devnet serving in the background of the current tokio runtime.
pub struct Running {
    /// The shared state.
    pub devnet: Arc<Devnet>,
    /// The bound address.
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    blocker: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(b) = self.blocker.take() {
            b.abort();
        }
    }
}

impl Running {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.devnet.base_url
    }

    /// Stops serving and waits for the server task.
    pub async fn stop(mut self) {
        if let Some(b) = self.blocker.take() {
            b.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Serves until the process is interrupted (Ctrl-C) or the server fails.
    pub async fn wait(mut self) -> std::io::Result<()> {
        (&mut self.task).await.unwrap_or(Ok(()))
    }
}

/// Loads (and, if asked, repairs) the state file; notes on stderr what the operator should know.
fn load_state(path: &std::path::Path, repair: bool) -> Result<Ledger, DevnetError> {
    let err = |source| DevnetError::State {
        path: path.display().to_string(),
        source,
    };
    if repair && let Some(r) = statelog::repair(path).map_err(err)? {
        eprintln!(
            "dexlink devnet: {}: cut {} bytes from line {} on (damaged); the file as it was is \
             kept in {}",
            path.display(),
            r.dropped_bytes,
            r.line,
            r.copy.display()
        );
    }
    let loaded = statelog::load(path).map_err(err)?;
    if loaded.torn_tail {
        eprintln!(
            "dexlink devnet: {}: ignored an incomplete last line (a write cut short by a crash, \
             never acknowledged)",
            path.display()
        );
    }
    Ok(loaded.ledger)
}

fn initial_ledger(config: &DevnetConfig) -> Result<Ledger, DevnetError> {
    if let Some(p) = config.state.as_ref().filter(|p| p.exists()) {
        return load_state(p, config.state_repair);
    }
    dexlink::address::ChainId::new(&config.chain_id)
        .map_err(|e| DevnetError::Config(e.to_string()))?;
    let hrp =
        dexlink::address::Hrp::new(&config.hrp).map_err(|e| DevnetError::Config(e.to_string()))?;
    let mut ledger = Ledger {
        chain_id: config.chain_id.clone(),
        hrp: config.hrp.clone(),
        ..Ledger::default()
    };
    for m in &config.markets {
        if m.tick_size <= 0 || m.lot_size <= 0 {
            return Err(DevnetError::Config(format!(
                "market {} needs positive tick and lot sizes",
                m.symbol()
            )));
        }
        ledger.markets.insert(m.symbol(), m.clone());
    }
    for (addr, asset, units) in &config.genesis {
        let a = dexlink::Address::parse_for(addr, &hrp)
            .map_err(|e| DevnetError::Config(format!("genesis address {addr}: {e}")))?;
        ledger
            .mint(&a.to_string(), asset, *units)
            .map_err(|e| DevnetError::Config(format!("genesis {addr}: {e}")))?;
    }
    Ok(ledger)
}

/// Binds 127.0.0.1 and starts serving in the background.
pub async fn spawn(config: DevnetConfig) -> Result<Running, DevnetError> {
    config.limits.check().map_err(DevnetError::Config)?;
    config.fees.check().map_err(DevnetError::Config)?;
    config.breathe.check().map_err(DevnetError::Config)?;
    if let BlockMode::Interval(d) = config.blocks
        && d.is_zero()
    {
        return Err(DevnetError::Config(
            "a block interval must be longer than zero".into(),
        ));
    }
    let ledger = initial_ledger(&config)?;
    let listener = TcpListener::bind(("127.0.0.1", config.port))
        .await
        .map_err(|source| DevnetError::Bind {
            port: config.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| DevnetError::Bind {
        port: config.port,
        source,
    })?;
    // Starting compacts: the loaded snapshot and log become one snapshot (written atomically,
    // so a crash here leaves the old file, which loads to the same ledger).
    let state = match &config.state {
        Some(p) => Some(Mutex::new(StateFile::create(p, &ledger).map_err(
            |source| DevnetError::State {
                path: p.display().to_string(),
                source: source.into(),
            },
        )?)),
        None => None,
    };
    let books = Books::rebuild(&ledger);
    let devnet = Arc::new(Devnet {
        ledger: Mutex::new(ledger),
        state,
        base_url: format!("http://127.0.0.1:{}", addr.port()),
        faults: faults::FaultSwitch::default(),
        limits: config.limits.clone(),
        books: Mutex::new(books),
        books_dirty: false.into(),
        blocks: config.blocks,
        fees: config.fees.clone(),
        breathe: config.breathe.clone(),
        events: tokio::sync::broadcast::channel(ws::BACKLOG).0,
    });
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = api::router(devnet.clone());
    let task = tokio::spawn(server::serve(listener, app, config.limits, rx));
    let blocker = match config.blocks {
        BlockMode::Interval(every) => {
            let dev = devnet.clone();
            Some(tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                tick.tick().await;
                loop {
                    tick.tick().await;
                    // A failed save leaves the mempool for the next block.
                    let _ = dev.produce_block();
                }
            }))
        }
        _ => None,
    };
    Ok(Running {
        devnet,
        addr,
        shutdown: Some(tx),
        task,
        blocker,
    })
}
