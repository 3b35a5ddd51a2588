//! A request that fails after it has already written part of its change leaves the ledger exactly
//! as it was: the devnet applies requests in place through a journal and undoes them on failure
//! (a later input coin that is missing, a state file that
//! cannot be written).

mod common;

use common::*;
use dexlink::client::ClientError;
use dexlink::tx::{Coin, Msg, Send, SendEntry};
use dexlink_devnet::DevnetConfig;
use dexlink_devnet::state::Ledger;

const UNKNOWN: u64 = 65537; // 1/1: the devnet's own failures (e.g. saving the state)
const COINS: u64 = 65546; // 1/10

/// The largest Fixed8 amount: any further credit overflows.
const MAX: &str = "92233720368.54775807";

fn multi_send(from: &dexlink::Address, outputs: &[(&dexlink::Address, &[(&str, &str)])]) -> Msg {
    let outputs = outputs
        .iter()
        .map(|(to, coins)| {
            let coins = coins.iter().map(|(d, a)| Coin::new(d, units(a))).collect();
            SendEntry::new((*to).clone(), coins)
        })
        .collect();
    Msg::Send(Send::from_outputs(from.clone(), outputs).unwrap())
}

#[tokio::test]
async fn a_grant_past_the_total_supply_is_refused_so_no_send_output_overflows() {
    // Before blocks settled trades, one holding could reach i64::MAX beside others, and a send
    // to it overflowed at its last output (rolled back). A token's supply on the chain fit an
    // int64, and now the devnet's does too (a trade must never overflow the balance it
    // credits), so the grant that made that holding is refused, changing nothing.
    let run = start().await;
    let (a, b, c) = (key(1), key(2), key(3));
    fund(&run, &addr(&a), "BNB", "10").await;
    let before: Ledger = snapshot(&run);
    let (status, body) = post(
        &run,
        "/devnet/faucet",
        format!(
            r#"{{"address":"{}","asset":"BNB","amount":"{MAX}"}}"#,
            addr(&b)
        ),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("total supply of BNB"),
        "{body}"
    );
    assert_eq!(snapshot(&run), before);

    // What fits is granted, and a send to both outputs goes through, with C numbered next.
    fund(&run, &addr(&b), "BNB", "92233720358.54775807").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    let ok = multi_send(
        &addr(&a),
        &[(&addr(&c), &[("BNB", "1")]), (&addr(&b), &[("BNB", "1")])],
    );
    accept(&run, &sign(&a, &chain(), an, seq, ok)).await;
    let l = snapshot(&run);
    assert_eq!(
        l.accounts[&addr(&c).to_string()].account_number,
        before.next_account_number + 1
    );
    assert_eq!(holding(&run, &addr(&a), "BNB"), (800_000_000, 0));
    assert_eq!(holding(&run, &addr(&b), "BNB"), (i64::MAX - 900_000_000, 0));
    run.stop().await;
}

#[tokio::test]
async fn a_send_whose_second_coin_is_missing_changes_nothing() {
    let run = start().await;
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    // Coins are debited in denom order: BNB (held) first, then BUSD-BD1 (not held).
    let msg = multi_send(
        &addr(&a),
        &[(&addr(&b), &[("BNB", "1"), ("BUSD-BD1", "1")])],
    );
    reject(
        &run,
        &sign(&a, &chain(), an, seq, msg),
        COINS,
        "insufficient BUSD-BD1",
    )
    .await;
    assert_eq!(holding(&run, &addr(&a), "BNB"), (1_000_000_000, 0));
    run.stop().await;
}

#[tokio::test]
async fn a_faucet_credit_that_overflows_changes_nothing() {
    let run = start().await;
    let a = addr(&key(1));
    fund(&run, &a, "BNB", MAX).await;
    let before = snapshot(&run);
    let err = client(&run)
        .devnet_faucet(&a, "BNB", "1")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Http { status: 400, message } if message == "balance would overflow"),
        "{err:?}"
    );
    assert_eq!(snapshot(&run), before);
    run.stop().await;
}

#[tokio::test]
async fn a_failed_save_leaves_memory_and_file_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let state_dir = dir.path().join("state");
    std::fs::create_dir(&state_dir).unwrap();
    let path = state_dir.join("devnet.json");
    let run = dexlink_devnet::spawn(DevnetConfig {
        state: Some(path.clone()),
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    let saved = std::fs::read(&path).unwrap();

    // Saving writes a temporary file in the state's directory and renames it over the state;
    // with the directory gone (root ignores permissions, so remove it) every save fails.
    std::fs::remove_dir_all(&state_dir).unwrap();
    let before = snapshot(&run);
    reject(
        &run,
        &send_tx(&a, an, seq, &addr(&b), "BNB", "1"),
        UNKNOWN,
        "cannot save devnet state",
    )
    .await;
    // Refused for the failed save itself, not for any other reason.
    let err = client(&run)
        .devnet_faucet(&addr(&b), "BNB", "1")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Http { message, .. } if message.starts_with("cannot save devnet state: ")),
        "{err:?}"
    );
    assert_eq!(snapshot(&run), before);

    // Once the directory is back (with the last saved state), the same tx is accepted and saved.
    std::fs::create_dir(&state_dir).unwrap();
    std::fs::write(&path, &saved).unwrap();
    accept(&run, &send_tx(&a, an, seq, &addr(&b), "BNB", "1")).await;
    assert_eq!(Ledger::load(&path).unwrap(), snapshot(&run));
    assert_eq!(acct(&run, &addr(&a)).await, (an, seq + 1));
    run.stop().await;
}
