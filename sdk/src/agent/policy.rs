//! The agent's policy (`policy.toml` in the key directory) and its evaluation.
//!
//! Without a policy file every request for an unlocked key is allowed (the user unlocked it).
//! With one, a key that has no `[keys.NAME]` table is refused, and a listed key is held to its
//! table's rules; the first rule a request breaks is named by its TOML key (`allow`,
//! `orders.symbols`, `orders.max_quantity`, `orders.max_notional`, `orders.max_open_notional`,
//! `sends.recipients`, `sends.max_per_day`, `max_requests_per_minute`, or `key_not_listed`).
//!
//! ```toml
//! confirm = "terminal"          # outside the policy: ask on the agent's terminal ("refuse")
//! [keys.alice]
//! allow = ["new_order", "cancel_order", "send"]
//! max_requests_per_minute = 120
//! [keys.alice.orders]
//! symbols = ["BNB_BUSD-BD1"]
//! max_quantity = "10"
//! max_notional = "5000"         # price × quantity, in the quote asset
//! max_open_notional = "20000"   # per market, over the orders this agent signed
//! [keys.alice.sends]
//! recipients = ["tbnb1…"]
//! max_per_day = { BNB = "5" }   # per asset, over the last 24 hours
//! ```
//!
//! Open notional counts the orders the agent signed, less those it signed a cancel for: the
//! agent does not see fills, so the figure only errs on the safe side.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::Deserialize;

use crate::address::Address;
use crate::amount::Fixed8;
use crate::tx::{Msg, UnsignedTx};

/// The message types a policy's `allow` list may name.
pub const MESSAGE_TYPES: &[&str] = &[
    "new_order",
    "cancel_order",
    "send",
    "freeze",
    "unfreeze",
    "sign_message",
    "sign_recover",
    "sign_link",
];

/// What to do with a request outside the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfirmMode {
    /// Refuse it (the default).
    Refuse,
    /// Ask on the agent's terminal when it runs in the foreground on one; refuse otherwise.
    Terminal,
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Outside the policy.
    pub confirm: ConfirmMode,
    keys: BTreeMap<String, KeyPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct KeyPolicy {
    allow: Option<Vec<String>>,
    max_requests_per_minute: Option<u32>,
    symbols: Option<Vec<String>>,
    max_quantity: Option<Fixed8>,
    max_notional: Option<Fixed8>,
    max_open_notional: Option<Fixed8>,
    recipients: Option<Vec<Address>>,
    max_per_day: BTreeMap<String, Fixed8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTop {
    confirm: Option<String>,
    #[serde(default)]
    keys: BTreeMap<String, FileKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileKey {
    allow: Option<Vec<String>>,
    max_requests_per_minute: Option<u32>,
    orders: Option<FileOrders>,
    sends: Option<FileSends>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOrders {
    symbols: Option<Vec<String>>,
    max_quantity: Option<String>,
    max_notional: Option<String>,
    max_open_notional: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSends {
    recipients: Option<Vec<String>>,
    max_per_day: Option<BTreeMap<String, String>>,
}

impl Policy {
    /// Parses a policy file's text; the error names the key or value at fault.
    pub fn parse(text: &str) -> Result<Self, String> {
        let top: FileTop = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let confirm = match top.confirm.as_deref() {
            None | Some("refuse") => ConfirmMode::Refuse,
            Some("terminal") => ConfirmMode::Terminal,
            Some(other) => {
                return Err(format!(
                    "confirm = {other:?} is not known; use \"refuse\" or \"terminal\""
                ));
            }
        };
        let mut keys = BTreeMap::new();
        for (name, k) in top.keys {
            let amount = |what: &str, s: &Option<String>| -> Result<Option<Fixed8>, String> {
                s.as_deref()
                    .map(|s| {
                        Fixed8::parse(s).map_err(|e| format!("keys.{name}.{what} = {s:?}: {e}"))
                    })
                    .transpose()
            };
            if let Some(allow) = &k.allow
                && let Some(bad) = allow.iter().find(|t| !MESSAGE_TYPES.contains(&t.as_str()))
            {
                return Err(format!(
                    "keys.{name}.allow names {bad:?}; the types are {}",
                    MESSAGE_TYPES.join(", ")
                ));
            }
            let mut kp = KeyPolicy {
                allow: k.allow.clone(),
                max_requests_per_minute: k.max_requests_per_minute,
                ..KeyPolicy::default()
            };
            if let Some(o) = &k.orders {
                kp.symbols = o.symbols.clone();
                kp.max_quantity = amount("orders.max_quantity", &o.max_quantity)?;
                kp.max_notional = amount("orders.max_notional", &o.max_notional)?;
                kp.max_open_notional = amount("orders.max_open_notional", &o.max_open_notional)?;
            }
            if let Some(s) = &k.sends {
                if let Some(r) = &s.recipients {
                    kp.recipients = Some(
                        r.iter()
                            .map(|a| {
                                Address::parse(a).map_err(|e| {
                                    format!("keys.{name}.sends.recipients: {a:?}: {e}")
                                })
                            })
                            .collect::<Result<_, _>>()?,
                    );
                }
                for (asset, max) in s.max_per_day.iter().flatten() {
                    let v = amount(&format!("sends.max_per_day.{asset}"), &Some(max.clone()))?;
                    kp.max_per_day.insert(asset.clone(), v.expect("given"));
                }
            }
            keys.insert(name, kp);
        }
        Ok(Self { confirm, keys })
    }
}

/// What a request asks the agent to sign, as the policy sees it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Action {
    /// A transaction.
    Tx(UnsignedTx),
    /// A `bnbSign` message (not a transaction) of this many bytes.
    Message {
        /// Its length.
        len: usize,
    },
    /// A BEP-333 recovery request.
    Recover {
        /// The token.
        symbol: String,
        /// The amount (decimal, as the request shows it).
        amount: String,
        /// The BSC recipient.
        recipient: String,
    },
    /// A link proof (docs/link-proofs.md): the address proven to a DEX.
    Link {
        /// The address being linked.
        address: String,
        /// The DEX's URI, as the message names it.
        uri: String,
    },
}

impl Action {
    /// The message type, as the policy's `allow` list names it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Tx(tx) => match tx.msg() {
                Msg::NewOrder(_) => "new_order",
                Msg::CancelOrder(_) => "cancel_order",
                Msg::Send(_) => "send",
                Msg::Freeze(_) => "freeze",
                Msg::Unfreeze(_) => "unfreeze",
            },
            Self::Message { .. } => "sign_message",
            Self::Recover { .. } => "sign_recover",
            Self::Link { .. } => "sign_link",
        }
    }

    /// One line for the audit log and the confirmation prompt.
    pub fn summary(&self) -> String {
        match self {
            Self::Tx(tx) => tx.describe(),
            Self::Message { len } => format!("MESSAGE of {len} bytes (bnbSign)"),
            Self::Recover {
                symbol,
                amount,
                recipient,
            } => format!("RECOVER {amount} {symbol} to {recipient}"),
            Self::Link { address, uri } => format!("LINK {address} to {uri}"),
        }
    }
}

/// A refusal: the rule broken and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The rule, by its TOML key (see the module docs).
    pub rule: String,
    /// What was asked against what the rule allows.
    pub message: String,
}

fn refuse(rule: &str, message: String) -> Refusal {
    Refusal {
        rule: rule.to_string(),
        message,
    }
}

/// What the agent signed, as far as the policy's limits need it.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Open notional (10^-8 units of the quote asset) per (key, symbol).
    open: HashMap<(String, String), u128>,
    /// Orders signed: order id → (key, symbol, notional).
    orders: HashMap<String, (String, String, u128)>,
    /// Sends signed: (time ms, key, asset, units).
    sends: VecDeque<(u64, String, String, u128)>,
    /// Signatures per key in the last minute (times in ms).
    requests: HashMap<String, VecDeque<u64>>,
}

const DAY_MS: u64 = 24 * 3600 * 1000;
const MINUTE_MS: u64 = 60 * 1000;

/// price × quantity in 10^-8 units of the quote asset.
fn notional(price: Fixed8, quantity: Fixed8) -> u128 {
    (price.units().max(0) as u128) * (quantity.units().max(0) as u128) / 100_000_000
}

fn units(v: Fixed8) -> u128 {
    v.units().max(0) as u128
}

fn show(units: u128) -> String {
    i64::try_from(units)
        .ok()
        .and_then(|u| Fixed8::from_units(u).ok())
        .map(|f| f.to_string())
        .unwrap_or_else(|| format!("{units}e-8"))
}

/// Per asset, what a send moves to others.
fn send_totals(tx: &UnsignedTx) -> BTreeMap<String, u128> {
    let mut out = BTreeMap::new();
    if let Msg::Send(s) = tx.msg() {
        for o in s.outputs() {
            for c in &o.coins {
                *out.entry(c.denom.clone()).or_insert(0) += units(c.amount);
            }
        }
    }
    out
}

impl Ledger {
    fn prune(&mut self, now: u64) {
        while self.sends.front().is_some_and(|s| s.0 + DAY_MS <= now) {
            self.sends.pop_front();
        }
        for q in self.requests.values_mut() {
            while q.front().is_some_and(|t| t + MINUTE_MS <= now) {
                q.pop_front();
            }
        }
    }

    /// Checks a request for `key` against `policy` (`None`: no policy file, all allowed).
    pub fn evaluate(
        &mut self,
        policy: Option<&Policy>,
        key: &str,
        action: &Action,
        now_ms: u64,
    ) -> Result<(), Refusal> {
        self.prune(now_ms);
        let Some(policy) = policy else {
            return Ok(());
        };
        let Some(kp) = policy.keys.get(key) else {
            return Err(refuse(
                "key_not_listed",
                format!("the policy has no [keys.{key}] table, so {key} signs nothing"),
            ));
        };
        let ty = action.type_name();
        if let Some(allow) = &kp.allow
            && !allow.iter().any(|a| a == ty)
        {
            return Err(refuse(
                "allow",
                format!("{ty} is not in keys.{key}.allow ({})", allow.join(", ")),
            ));
        }
        if let Some(max) = kp.max_requests_per_minute {
            let n = self.requests.get(key).map_or(0, VecDeque::len);
            if n >= max as usize {
                return Err(refuse(
                    "max_requests_per_minute",
                    format!("{key} signed {n} requests in the last minute; the limit is {max}"),
                ));
            }
        }
        let Action::Tx(tx) = action else {
            return Ok(());
        };
        match tx.msg() {
            Msg::NewOrder(o) => {
                if let Some(symbols) = &kp.symbols
                    && !symbols.contains(&o.symbol)
                {
                    return Err(refuse(
                        "orders.symbols",
                        format!(
                            "{} is not in keys.{key}.orders.symbols ({})",
                            o.symbol,
                            symbols.join(", ")
                        ),
                    ));
                }
                if let Some(max) = kp.max_quantity
                    && o.quantity > max
                {
                    return Err(refuse(
                        "orders.max_quantity",
                        format!("quantity {} is above the limit {max}", o.quantity),
                    ));
                }
                let n = notional(o.price, o.quantity);
                if let Some(max) = kp.max_notional
                    && n > units(max)
                {
                    return Err(refuse(
                        "orders.max_notional",
                        format!("notional {} is above the limit {max}", show(n)),
                    ));
                }
                if let Some(max) = kp.max_open_notional {
                    let open = self
                        .open
                        .get(&(key.to_string(), o.symbol.clone()))
                        .copied()
                        .unwrap_or(0);
                    if open + n > units(max) {
                        return Err(refuse(
                            "orders.max_open_notional",
                            format!(
                                "{} open on {} plus {} would pass the limit {max}",
                                show(open),
                                o.symbol,
                                show(n)
                            ),
                        ));
                    }
                }
            }
            Msg::Send(s) => {
                if let Some(allowed) = &kp.recipients
                    && let Some(o) = s
                        .outputs()
                        .iter()
                        .find(|o| !allowed.iter().any(|a| a.as_bytes() == o.address.as_bytes()))
                {
                    return Err(refuse(
                        "sends.recipients",
                        format!("{} is not in keys.{key}.sends.recipients", o.address),
                    ));
                }
                for (asset, amount) in send_totals(tx) {
                    let Some(max) = kp.max_per_day.get(&asset) else {
                        continue;
                    };
                    let sent: u128 = self
                        .sends
                        .iter()
                        .filter(|s| s.1 == key && s.2 == asset)
                        .map(|s| s.3)
                        .sum();
                    if sent + amount > units(*max) {
                        return Err(refuse(
                            "sends.max_per_day",
                            format!(
                                "{} {asset} sent in the last 24 hours plus {} would pass the limit {max}",
                                show(sent),
                                show(amount)
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Records a request that was signed (allowed or confirmed).
    pub fn record(&mut self, key: &str, action: &Action, now_ms: u64) {
        self.requests
            .entry(key.to_string())
            .or_default()
            .push_back(now_ms);
        let Action::Tx(tx) = action else {
            return;
        };
        match tx.msg() {
            Msg::NewOrder(o) => {
                let n = notional(o.price, o.quantity);
                let id = o.id.to_string();
                // A repeated signature of the same order (a retry) is one order.
                if self.orders.contains_key(&id) {
                    return;
                }
                *self
                    .open
                    .entry((key.to_string(), o.symbol.clone()))
                    .or_insert(0) += n;
                self.orders
                    .insert(id, (key.to_string(), o.symbol.clone(), n));
            }
            Msg::CancelOrder(c) => {
                if let Some((k, symbol, n)) = self.orders.remove(&c.refid.to_string())
                    && let Some(open) = self.open.get_mut(&(k, symbol))
                {
                    *open = open.saturating_sub(n);
                }
            }
            Msg::Send(_) => {
                for (asset, amount) in send_totals(tx) {
                    self.sends
                        .push_back((now_ms, key.to_string(), asset, amount));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::ChainId;
    use crate::tx::{CancelOrder, Coin, LimitOrder, Send, SendEntry, Side, TimeInForce};

    // V7's testnet address and V13's recipient (docs/upstream-vectors.md), on testnet.
    const ME: &str = "tbnb1hgm0p7khfk85zpz5v0j8wnej3a90w709zzlffd";
    const FRIEND: &str = "tbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm";

    const POLICY: &str = r#"
confirm = "refuse"
[keys.bot]
allow = ["new_order", "cancel_order", "send"]
max_requests_per_minute = 5
[keys.bot.orders]
symbols = ["BNB_BUSD-BD1"]
max_quantity = "10"
max_notional = "1000"
max_open_notional = "1500"
[keys.bot.sends]
recipients = ["tbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm"]
max_per_day = { BNB = "2" }
"#;

    fn tx(msg: Msg, seq: u64) -> Action {
        Action::Tx(
            UnsignedTx::new(ChainId::new("Binance-Chain-Ganges").unwrap(), 1, seq, msg).unwrap(),
        )
    }

    fn order(seq: u64, symbol: &str, price: &str, qty: &str) -> Action {
        let o = LimitOrder {
            sender: Address::parse(ME).unwrap(),
            symbol: symbol.into(),
            side: Side::Buy,
            price: price.parse().unwrap(),
            quantity: qty.parse().unwrap(),
            time_in_force: TimeInForce::Gte,
        }
        .at_sequence(seq)
        .unwrap();
        tx(Msg::NewOrder(o), seq)
    }

    fn send(to: &str, amount: &str, seq: u64) -> Action {
        let s = Send::from_outputs(
            Address::parse(ME).unwrap(),
            vec![SendEntry::new(
                Address::parse(to).unwrap(),
                vec![Coin::new("BNB", amount.parse().unwrap())],
            )],
        )
        .unwrap();
        tx(Msg::Send(s), seq)
    }

    fn rule(r: Result<(), Refusal>) -> String {
        r.map(|()| "allowed".to_string()).unwrap_or_else(|e| e.rule)
    }

    #[test]
    fn each_rule_refuses_by_name() {
        let p = Policy::parse(POLICY).unwrap();
        let mut l = Ledger::default();
        let now = 1_000_000;
        let ev = |l: &mut Ledger, key: &str, a: &Action| rule(l.evaluate(Some(&p), key, a, now));
        assert_eq!(
            ev(&mut l, "other", &order(1, "BNB_BUSD-BD1", "1", "1")),
            "key_not_listed"
        );
        assert_eq!(ev(&mut l, "bot", &Action::Message { len: 3 }), "allow");
        assert_eq!(
            ev(&mut l, "bot", &order(1, "XYZ-000_BNB", "1", "1")),
            "orders.symbols"
        );
        assert_eq!(
            ev(&mut l, "bot", &order(1, "BNB_BUSD-BD1", "1", "10.00000001")),
            "orders.max_quantity"
        );
        assert_eq!(
            ev(
                &mut l,
                "bot",
                &order(1, "BNB_BUSD-BD1", "100.00000001", "10")
            ),
            "orders.max_notional"
        );
        assert_eq!(
            ev(&mut l, "bot", &order(1, "BNB_BUSD-BD1", "100", "10")),
            "allowed"
        );
        l.record("bot", &order(1, "BNB_BUSD-BD1", "100", "10"), now);
        // 1000 open; another 500.00000001 passes 1500.
        assert_eq!(
            ev(
                &mut l,
                "bot",
                &order(2, "BNB_BUSD-BD1", "50.00000001", "10")
            ),
            "orders.max_open_notional"
        );
        assert_eq!(
            ev(&mut l, "bot", &order(2, "BNB_BUSD-BD1", "50", "10")),
            "allowed"
        );
        // Cancelling the first order frees its notional.
        let id = match &order(1, "BNB_BUSD-BD1", "100", "10") {
            Action::Tx(t) => match t.msg() {
                Msg::NewOrder(o) => o.id,
                _ => unreachable!(),
            },
            _ => unreachable!(),
        };
        let cancel = tx(
            Msg::CancelOrder(
                CancelOrder::new(Address::parse(ME).unwrap(), "BNB_BUSD-BD1", id).unwrap(),
            ),
            3,
        );
        assert_eq!(ev(&mut l, "bot", &cancel), "allowed");
        l.record("bot", &cancel, now);
        assert_eq!(
            ev(&mut l, "bot", &order(4, "BNB_BUSD-BD1", "100", "10")),
            "allowed"
        );
        assert_eq!(ev(&mut l, "bot", &send(ME, "1", 5)), "sends.recipients");
        assert_eq!(
            ev(&mut l, "bot", &send(FRIEND, "2.00000001", 5)),
            "sends.max_per_day"
        );
        assert_eq!(ev(&mut l, "bot", &send(FRIEND, "1.5", 5)), "allowed");
        l.record("bot", &send(FRIEND, "1.5", 5), now);
        assert_eq!(
            ev(&mut l, "bot", &send(FRIEND, "0.50000001", 6)),
            "sends.max_per_day"
        );
        // A day later the sends have rolled off.
        assert_eq!(
            rule(l.evaluate(Some(&p), "bot", &send(FRIEND, "2", 6), now + DAY_MS)),
            "allowed"
        );
    }

    #[test]
    fn the_rate_limit_counts_the_last_minute() {
        let p = Policy::parse(POLICY).unwrap();
        let mut l = Ledger::default();
        for i in 0..5 {
            let a = order(i, "BNB_BUSD-BD1", "1", "1");
            assert_eq!(rule(l.evaluate(Some(&p), "bot", &a, 1000 + i)), "allowed");
            l.record("bot", &a, 1000 + i);
        }
        let a = order(9, "BNB_BUSD-BD1", "1", "1");
        assert_eq!(
            rule(l.evaluate(Some(&p), "bot", &a, 2000)),
            "max_requests_per_minute"
        );
        assert_eq!(
            rule(l.evaluate(Some(&p), "bot", &a, 1000 + MINUTE_MS)),
            "allowed"
        );
    }

    #[test]
    fn no_policy_allows_and_bad_files_are_named() {
        let mut l = Ledger::default();
        assert_eq!(
            rule(l.evaluate(None, "any", &Action::Message { len: 1 }, 0)),
            "allowed"
        );
        assert_eq!(
            Policy::parse("[keys.a]\nallow = [\"mint\"]").unwrap_err(),
            "keys.a.allow names \"mint\"; the types are new_order, cancel_order, send, freeze, unfreeze, sign_message, sign_recover, sign_link"
        );
        assert_eq!(
            Policy::parse("confirm = \"maybe\"").unwrap_err(),
            "confirm = \"maybe\" is not known; use \"refuse\" or \"terminal\""
        );
        assert!(
            Policy::parse("[keys.a]\nmax_qty = 1")
                .unwrap_err()
                .contains("max_qty")
        );
        assert_eq!(
            Policy::parse("[keys.a.orders]\nmax_quantity = \"1.123456789\"").unwrap_err(),
            format!(
                "keys.a.orders.max_quantity = \"1.123456789\": {}",
                Fixed8::parse("1.123456789").unwrap_err()
            )
        );
        assert_eq!(
            Policy::parse("confirm = \"terminal\"").unwrap().confirm,
            ConfirmMode::Terminal
        );
    }
}
