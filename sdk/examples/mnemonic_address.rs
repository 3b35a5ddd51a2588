//! From a mnemonic to addresses, offline.
//!
//! `cargo run -p dexlink --example mnemonic_address`
//!
//! The mnemonic and addresses are test vectors from upstream SDKs (`test-vectors/`
//! `binance-key-derivation.json`): `v3-bnb`/`v3-tbnb` (Trust Wallet's wallet-core) and
//! `v2-bottom-1h-1-1` (the Go SDK, a non-default account, change and index).

use dexlink::hd::{DerivationPath, ExtendedPrivateKey};
use dexlink::{AccountKey, Hrp, Mnemonic, Passphrase};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The usual path m/44'/714'/0'/0/0: account 0, index 0. A mnemonic is a secret: real code
    // reads it from a prompt or a file, never from the command line.
    let mnemonic = Mnemonic::parse(
        "rabbit tilt arm protect banner ill produce vendor april bike much identify \
         pond upset front easily glass gallery address hair priority focus forest angle",
    )?;
    let seed = mnemonic.to_seed(&Passphrase::empty());
    let account = AccountKey::from_seed(&seed, 0)?;
    let mainnet = account.address(0, &Hrp::mainnet())?;
    let testnet = account.address(0, &Hrp::testnet())?;
    println!("m/44'/714'/0'/0/0  {mainnet}  {testnet}");
    // v3-bnb, v3-tbnb: one key, one address per network prefix.
    assert_eq!(
        mainnet.to_string(),
        "bnb1devga6q804tx9fqrnx0vtu5r36kxgp9tmk4xkm"
    );
    assert_eq!(
        testnet.to_string(),
        "tbnb1devga6q804tx9fqrnx0vtu5r36kxgp9t4ruzk2"
    );

    // Any BIP-32 path, here account 1, change 1, index 1.
    let mnemonic = Mnemonic::parse(
        "bottom quick strong ranch section decide pepper broken oven demand coin run \
         jacket curious business achieve mule bamboo remain vote kid rigid bench rubber",
    )?;
    let path: DerivationPath = "m/44'/714'/1'/1/1".parse()?;
    let master = ExtendedPrivateKey::from_bip39_seed(&mnemonic.to_seed(&Passphrase::empty()));
    let address = master.derive_path(&path)?.address(&Hrp::mainnet());
    println!("{path}  {address}");
    // v2-bottom-1h-1-1
    assert_eq!(
        address.to_string(),
        "bnb1c67nwp7u5adl7gw0ffn3d47kttcm4crjy9mrye"
    );
    Ok(())
}
