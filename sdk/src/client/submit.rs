//! Submitting one intent (an order, a transfer) exactly once.
//!
//! The account number and sequence are read from the DEX, the intent is signed, and the bytes are
//! broadcast reliably. On "Invalid sequence" the intent is re-signed with a fresh sequence only
//! after checking that the rejected transaction is not known to the node: never two
//! transactions for one intent.

use super::{Account, BroadcastResult, ClientError, DexClient};
use crate::address::{Address, Hrp};
use crate::tx::{Msg, OrderId, SignedTx, TxHash};

/// Re-signs allowed after sequence errors, per intent.
const MAX_RESIGNS: u32 = 2;

/// Builds signed broadcast bytes for an intent, given the account number and sequence.
///
/// Building or signing can fail (an invalid order, a signer that refuses): [`submit`] then
/// sends nothing and returns [`SubmitError::Build`] with the builder's own error.
pub trait Intent {
    /// Why the transaction could not be built or signed.
    type Error;
    /// The signed, length-prefixed transaction bytes for this account number and sequence.
    fn sign(&mut self, account_number: u64, sequence: u64) -> Result<Vec<u8>, Self::Error>;
}

impl<E, F: FnMut(u64, u64) -> Result<Vec<u8>, E>> Intent for F {
    type Error = E;
    fn sign(&mut self, account_number: u64, sequence: u64) -> Result<Vec<u8>, E> {
        self(account_number, sequence)
    }
}

/// Why [`submit`] did not land an intent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError<E> {
    /// The intent could not be built or signed; nothing was sent for this attempt.
    #[error("the transaction could not be built or signed: {0}")]
    Build(E),
    /// The DEX could not be read or refused the transaction.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// What landed for an intent.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// The broadcast result.
    pub result: BroadcastResult,
    /// The tx hash.
    pub hash: TxHash,
    /// The account number signed with.
    pub account_number: u64,
    /// The sequence signed with.
    pub sequence: u64,
    /// The exact broadcast bytes.
    pub tx_bytes: Vec<u8>,
}

impl Submitted {
    /// The id of the order this transaction placed, when it is a new order: read from the
    /// broadcast bytes (whose id the transaction's sequence fixed), not recomputed.
    pub fn order_id(&self) -> Option<OrderId> {
        // Any HRP decodes the bytes; the id holds the raw address bytes only.
        let tx = SignedTx::decode(&self.tx_bytes, &Hrp::mainnet()).ok()?;
        match tx.msg() {
            Msg::NewOrder(o) => Some(o.id),
            _ => None,
        }
    }
}

/// Signs and broadcasts one intent for `address`. A build or signing failure stops it before
/// anything is sent for that attempt.
pub async fn submit<I: Intent>(
    client: &DexClient,
    address: &Address,
    intent: I,
) -> Result<Submitted, SubmitError<I::Error>> {
    let account = client.account(address).await?;
    submit_from(client, address, account, intent).await
}

/// [`submit`] from an account state the caller has just read (one request fewer, when nothing
/// happened in between, such as a confirmation prompt). A stale sequence is handled as in
/// [`submit`]: the node's refusal makes it re-read the account and re-sign.
pub async fn submit_from<I: Intent>(
    client: &DexClient,
    address: &Address,
    account: Account,
    mut intent: I,
) -> Result<Submitted, SubmitError<I::Error>> {
    let mut sequence = account.sequence;
    let mut resigns = 0;
    loop {
        let tx_bytes = intent
            .sign(account.account_number, sequence)
            .map_err(SubmitError::Build)?;
        let hash = TxHash::of(&tx_bytes);
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
                        result: BroadcastResult::found(hash, info, true),
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
            Err(e) => return Err(e.into()),
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
            let hash = TxHash::of(tx_bytes);
            match client.tx(&hash).await? {
                Some(info) => Ok(BroadcastResult::found(hash, info, true)),
                None => Err(e),
            }
        }
        other => other,
    }
}
