//! Submitting one intent (an order, a transfer) exactly once.
//!
//! The account number and sequence are read from the DEX, the intent is signed, and the bytes are
//! broadcast reliably. On "Invalid sequence" the intent is re-signed with a fresh sequence only
//! after checking that the rejected transaction is not known to the node: never two
//! transactions for one intent.

use super::{BroadcastResult, ClientError, DexClient, tx_hash_of};
use crate::address::Address;

/// Re-signs allowed after sequence errors, per intent.
const MAX_RESIGNS: u32 = 2;

/// Builds signed broadcast bytes for an intent, given the account number and sequence.
pub trait Intent {
    /// The signed, length-prefixed transaction bytes for this account number and sequence.
    fn sign(&mut self, account_number: i64, sequence: i64) -> Vec<u8>;
}

impl<F: FnMut(i64, i64) -> Vec<u8>> Intent for F {
    fn sign(&mut self, account_number: i64, sequence: i64) -> Vec<u8> {
        self(account_number, sequence)
    }
}

/// What landed for an intent.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// The broadcast result.
    pub result: BroadcastResult,
    /// The tx hash (uppercase hex).
    pub hash: String,
    /// The account number signed with.
    pub account_number: i64,
    /// The sequence signed with.
    pub sequence: i64,
    /// The exact broadcast bytes.
    pub tx_bytes: Vec<u8>,
}

/// Signs and broadcasts one intent for `address`.
pub async fn submit(
    client: &DexClient,
    address: &Address,
    mut intent: impl Intent,
) -> Result<Submitted, ClientError> {
    let account = client.account(address).await?;
    let mut sequence = account.sequence;
    let mut resigns = 0;
    loop {
        let tx_bytes = intent.sign(account.account_number, sequence);
        let hash = tx_hash_of(&tx_bytes);
        match client.broadcast(&tx_bytes).await {
            Ok(result) => {
                return Ok(Submitted {
                    result,
                    hash,
                    account_number: account.account_number,
                    sequence,
                    tx_bytes,
                });
            }
            Err(ClientError::InvalidSequence { expected, .. }) if resigns < MAX_RESIGNS => {
                // The node refused it at check time; confirm it is unknown before re-signing.
                // If it is known, these exact bytes were committed before this post.
                if let Some(info) = client.tx(&hash).await? {
                    return Ok(Submitted {
                        result: BroadcastResult::found(&hash, info, true),
                        hash,
                        account_number: account.account_number,
                        sequence,
                        tx_bytes,
                    });
                }
                // The API server's account view can lag the node; never sign below what the
                // node said it expects (re-signing the same sequence would repeat the same bytes).
                sequence = client.account(address).await?.sequence.max(expected);
                resigns += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Broadcasts transaction bytes signed elsewhere (an air-gapped signer), exactly once.
///
/// Unlike [`submit`] it cannot re-sign. Bytes the node already holds are success, flagged
/// [`BroadcastResult::already_known`]: on a sequence error the hash is looked up first, since
/// a committed transaction's sequence is used up and its re-broadcast is refused for that.
pub async fn submit_signed(
    client: &DexClient,
    tx_bytes: &[u8],
) -> Result<BroadcastResult, ClientError> {
    match client.broadcast(tx_bytes).await {
        Err(e @ ClientError::InvalidSequence { .. }) => {
            let hash = tx_hash_of(tx_bytes);
            match client.tx(&hash).await? {
                Some(info) => Ok(BroadcastResult::found(&hash, info, true)),
                None => Err(e),
            }
        }
        other => other,
    }
}
