//! A BEP-333 token recovery request: build and sign one, and verify one as the approval
//! service does.
//!
//! `cargo run -p dexlink --example recovery_request`
//!
//! The signed request is `js-sig-0010-token-recover` of `test-vectors/js-sdk-sign.json` (signed
//! by the official `@binance-chain/javascript-sdk`); the verified one is `published-example` of
//! `test-vectors/token-recover.json` (the token-recover-self-service-tools README).

use dexlink::PrivateKey;
use dexlink::recover::{
    EvmAddress, RecoverAmount, RecoverChain, RecoverRequest, SignedRecoverRequest, TokenSymbol,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Signing: 0.00000001 751FC19C-678 to a BSC address.
    let request = RecoverRequest {
        chain: RecoverChain::Mainnet,
        symbol: TokenSymbol::new("751FC19C-678")?,
        amount: RecoverAmount::parse_decimal("0.00000001")?,
        recipient: EvmAddress::parse("0x45e1575dd7fb42d60280156bf38be974b9e3a7a2")?,
    };
    let key =
        PrivateKey::from_hex("6a779ce2d6d99907f405d52929ef86799aefdc96954589697965357d4e52cc7a")?;
    let signed = request.sign(&key);
    assert_eq!(
        signed.signature.to_string(),
        "98918fa976426ecc822b8394d1db3a2b6361a0531334d68f5221af26727074be064e34a7805972b5487bd2bab6e60c1ab2bbf4f218182bcacc0a576b2635f4cd"
    );
    println!("{}", signed.message);

    // Verifying: the message must be exactly a recovery request and the signature must verify.
    let published = SignedRecoverRequest::verify(
        r#"{"account_number":"0","chain_id":"Binance-Chain-Tigris","data":null,"memo":"","msgs":[{"amount":"00000000000000000000000000000000000000000000000000000000000003e8","recipient":"0x441de55a37f6c381b00db8b52df8f57794784a1a","token_symbol":"43414b452d343335000000000000000000000000000000000000000000000000"}],"sequence":"0","source":"0"}"#,
        "0x030771d42cc0a93289bf457e575bdb42c0d56fcf5953df6614b1b7de2986ce941c",
        "0xe4838ff411975a210cb15d5c950b53835f5d5bb7b0ebb8dbc4515541bb01181e408f7cbbdab08c9278a623667909e8c3c39fee8c3df65de65df4aec0c48f4196",
    )?;
    assert_eq!(
        published.address().to_string(),
        "bnb1nn3h8hm678shs5vxj8a5enjes0uhf7nwf0wq4m"
    );
    assert_eq!(published.request.symbol.as_str(), "CAKE-435");
    assert_eq!(published.request.amount.units(), 1000);
    // The recovery contract's arguments.
    let payload = published.contract_payload();
    assert_eq!(payload.amount, "0x03e8");
    println!(
        "{} recovers {} {}",
        published.address(),
        published.request.amount,
        published.request.symbol
    );
    Ok(())
}
