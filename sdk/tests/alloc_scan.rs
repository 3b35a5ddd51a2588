//! The SDK-level erasure harness (issue 12): a global allocator that, before handing every
//! freed heap block back to the system, scans it for registered secret patterns. The SDK's
//! flows — generate, parse, derive, sign, keystore encrypt/decrypt, sealed secrets, link
//! proofs, recovery requests — run under it, and no freed block may hold a secret (a secret
//! must be wiped before its memory is released, and must not be left behind by a reallocation
//! or a move into a bigger buffer).
//!
//! Patterns are each secret's raw big-endian bytes, little-endian scalar (k256's and
//! libsecp256k1's limb layout), lowercase and uppercase hex, the mnemonic text, the seed and the
//! chain codes on the path, and the password. The known values come from upstream vectors
//! (V7's key, the V1 mnemonic and its key V1_KEY0) and, for the seed and chain codes, from an
//! independent implementation (Python hashlib/hmac) — never from dexlink itself. Fresh random
//! secrets (generation) are registered as soon as they exist.
//!
//! One test function: the allocator is process-wide, so flows must not overlap with other
//! tests' allocations in this binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use dexlink::PrivateKey;
use dexlink::address::{ChainId, Hrp, Network};
use dexlink::hd::{AccountKey, DerivationPath, ExtendedPrivateKey};
use dexlink::keystore::{self, KdfLimits, Password, ScryptParams};
use dexlink::link::{LinkMessage, Nonce};
use dexlink::mnemonic::{Language, Mnemonic, Passphrase, WordCount};
use dexlink::recover::{EvmAddress, RecoverAmount, RecoverChain, RecoverRequest, TokenSymbol};
use dexlink::time::Timestamp;

/// Upstream V7 private key (wallet-core / java-sdk).
const V7_KEY: &str = "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9";
/// Upstream V1 mnemonic (js-sdk / java-sdk) and its key at m/44'/714'/0'/0/0.
const V1_MNEMONIC: &str = "fragile duck lunch coyote cotton pole gym orange share muscle impulse mom pause isolate define oblige hungry sound stereo spider style river fun account";
const V1_KEY0: &str = "caf2009a04bd53d426fc0907383b3f1dfe13013aee694d0159f6befc3fdccd5f";
/// Its BIP-39 seed and the chain codes and keys on the path (Python hashlib/hmac).
const V1_SEED: &str = "6bfc7eaf5fff529f454a2c16d60354dc8c50ef4270c17a568d7a92ac63308d5ab412c0c69ab4256c3b32345bf22d31e00c03921f7f3a426a4cf08f9359ec1194";
const V1_PATH_SECRETS: [&str; 11] = [
    // m: key, chain code
    "300ab14fba995aecc0ca9275177ec0747a8fa34b245fc477254e62f37916e626",
    "a6039ad4eb8a8bd47377eb797ee87971351a73095c9f4d4e41298fe566377391",
    // m/44'/714'/0'/0 (the account key): key, chain code
    "4e7b80a1b77a4be6e365318a18083d39d94f3dcd57d9844fe38db6cb2821dab6",
    "aac066c9516f6202c85a88019d47e1ff4128d19716b3e7ed8f3aa6d7f677c9f6",
    // m/44', m/44'/714', m/44'/714'/0': keys
    "668de0ed1aa3e9d40373dca8b05357a5688066e9d92a62a919b3920aff1b8eea",
    "f0f873e95b50b5a60a56abf7422e8d615d1b2ada5da35af81c1fb17f2352dad9",
    "d70d14cc13c4edd9841f23fd84dc8abd75b6e5d0f7a3835c991028b7dde34b0d",
    // and their chain codes
    "93a4034b30728baa2dc08888cdb860212aabf9aeb98d58c5ef97f9456f2f2741",
    "29b3fbbf55afc8cc2768b56470e03d1c7d530d32c83d4217cf675a6ff045b9da",
    "ef9b057eebd58efde3bc02f1d8ff13a17ad78cc2c28a3d4f273e25a718b9eb7c",
    // m/44'/714'/0'/0/0: chain code
    "5eb64d9c6ab10ea8957e35219d8e111bbcecd24e1322c762ae1f85171ea2e00e",
];
const PASSWORD: &str = "alloc-Scan-pw-5521";

/// Patterns to look for in freed blocks, and what was found.
struct Registry {
    patterns: Vec<(String, Vec<u8>)>,
    findings: Vec<String>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    patterns: Vec::new(),
    findings: Vec::new(),
});
static ARMED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Set while this thread is inside the scanner, so its own allocations are not scanned.
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

struct ScanningAllocator;

// SAFETY: every method forwards to `System` unchanged; `dealloc` only reads the block (which the
// caller still owns until `System.dealloc`) before freeing it.
unsafe impl GlobalAlloc for ScanningAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr points to layout.size() initialised-or-not bytes owned by the caller;
        // reading them as u8 is fine for a scan (uninitialised heap bytes are just old data).
        unsafe { scan_block(ptr, layout.size()) };
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A reallocation may move the block and free the old one without wiping it: scan the
        // old contents as if freed (a secret still in it is then copied, and left behind).
        unsafe {
            let new = System.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                scan_block(ptr, layout.size());
                System.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[global_allocator]
static ALLOC: ScanningAllocator = ScanningAllocator;

/// Scans `len` bytes at `ptr` for every registered pattern (when armed, and not re-entered).
unsafe fn scan_block(ptr: *const u8, len: usize) {
    if !ARMED.load(Ordering::Relaxed) || BUSY.with(|b| b.get()) {
        return;
    }
    BUSY.with(|b| b.set(true));
    // SAFETY: see `dealloc`.
    let block = unsafe { std::slice::from_raw_parts(ptr, len) };
    if let Ok(mut reg) = REGISTRY.lock() {
        let mut hits = Vec::new();
        for (name, pat) in &reg.patterns {
            if pat.len() <= block.len() && block.windows(pat.len()).any(|w| w == pat.as_slice()) {
                hits.push(format!("{name} in a freed block of {len} bytes"));
            }
        }
        reg.findings.extend(hits);
    }
    BUSY.with(|b| b.set(false));
}

/// Registers a secret's encodings (a 32-byte key or chain code: raw, LE, hex both cases; other
/// secrets: raw bytes).
fn register(name: &str, bytes: &[u8]) {
    BUSY.with(|b| b.set(true));
    {
        let mut reg = REGISTRY.lock().unwrap();
        reg.patterns.push((format!("{name}/raw"), bytes.to_vec()));
        if bytes.len() == 32 {
            let mut le = bytes.to_vec();
            le.reverse();
            reg.patterns.push((format!("{name}/le"), le));
            let h = hex::encode(bytes);
            reg.patterns
                .push((format!("{name}/HEX"), h.to_ascii_uppercase().into_bytes()));
            reg.patterns.push((format!("{name}/hex"), h.into_bytes()));
        }
    }
    BUSY.with(|b| b.set(false));
}

fn findings() -> Vec<String> {
    BUSY.with(|b| b.set(true));
    let f = REGISTRY.lock().unwrap().findings.clone();
    BUSY.with(|b| b.set(false));
    f
}

fn scrypt_fast() -> ScryptParams {
    ScryptParams::new(10, 8, 1).expect("small scrypt parameters are allowed for tests")
}

/// The flows. `expect` holds the known secrets decoded before the scan is armed (decoding
/// them here would itself free copies).
struct Expected {
    seed: [u8; 64],
    key0: [u8; 32],
}

fn flows(expect: &Expected) {
    let pw = Password::from_str_copy(PASSWORD);

    // Parse, sign, hex, copies.
    let k7 = PrivateKey::from_hex(V7_KEY).unwrap();
    let sig = k7.sign(b"alloc scan");
    assert!(k7.public_key().verify(b"alloc scan", &sig));
    assert_eq!(k7.to_hex().as_str(), V7_KEY);
    let mut s = String::with_capacity(64);
    k7.write_hex(&mut s);
    assert_eq!(s, V7_KEY);
    // (s is a plain String holding the hex on purpose: wipe it before it is freed.)
    zeroize::Zeroize::zeroize(&mut s);
    drop(s);
    let copy = k7.clone_secret();
    assert!(copy == k7);
    drop(copy);

    // Mnemonic, seed, BIP-32, the account key, the address key.
    let m = Mnemonic::parse(V1_MNEMONIC).unwrap();
    let seed = m.to_seed(&Passphrase::empty());
    assert_eq!(seed.as_bytes(), &expect.seed);
    let master = ExtendedPrivateKey::from_bip39_seed(&seed);
    let path: DerivationPath = "m/44'/714'/0'/0/0".parse().unwrap();
    let leaf = master.derive_path(&path).unwrap();
    assert_eq!(leaf.private_key().expose_secret(), &expect.key0);
    let xprv = leaf.to_xprv();
    let back = ExtendedPrivateKey::from_xprv(&xprv).unwrap();
    assert_eq!(
        back.private_key().expose_secret(),
        leaf.private_key().expose_secret()
    );
    let acct = AccountKey::from_seed(&seed, 0).unwrap();
    let k0 = acct.private_key(0).unwrap();
    assert_eq!(k0.expose_secret(), &expect.key0);
    let _ = k0.sign(b"hd");
    let phrase = m.phrase();
    assert_eq!(phrase.as_str(), V1_MNEMONIC);
    drop((phrase, xprv, back, leaf, master, acct, seed, m));

    // Keystores: Binance (PBKDF2) and Web3 (scrypt), both ways.
    let ks = keystore::encrypt_binance(&k7, &pw, Some(&Hrp::mainnet()));
    let dec = keystore::decrypt(&ks, &pw).unwrap();
    assert!(dec.private_key() == &k7);
    drop(dec);
    let ks = keystore::encrypt_web3(&k0, &pw, scrypt_fast());
    let dec = keystore::decrypt(&ks, &pw).unwrap();
    assert!(dec.into_private_key() == k0);

    // Sealed secrets (what the key directory stores).
    let sealed = keystore::seal_secret(V1_MNEMONIC.as_bytes(), &pw, scrypt_fast()).unwrap();
    let plain = keystore::open_secret(&sealed, &pw, &KdfLimits::DEFAULT).unwrap();
    assert_eq!(&plain[..], V1_MNEMONIC.as_bytes());
    drop(plain);

    // A link proof.
    let msg = LinkMessage {
        domain: "127.0.0.1:41234".into(),
        address: k7.address(&Hrp::testnet()),
        statement: None,
        uri: "http://127.0.0.1:41234".into(),
        chain_id: ChainId::new("Binance-Chain-Ganges").unwrap(),
        nonce: Nonce::new("abcDEF123").unwrap(),
        issued_at: Timestamp::parse("2026-11-26T21:00:00Z").unwrap(),
        expiration_time: Timestamp::parse("2026-11-26T21:10:00Z").unwrap(),
    };
    let proof = msg.sign(&k7).unwrap();
    let _ = proof.to_json();
    let _ = Network::testnet();

    // A recovery request.
    let req = RecoverRequest {
        chain: RecoverChain::Testnet,
        symbol: TokenSymbol::new("CAKE-435").unwrap(),
        amount: RecoverAmount::parse_decimal("0.00001").unwrap(),
        recipient: EvmAddress::parse("0x441DE55A37F6C381b00Db8B52DF8f57794784a1A").unwrap(),
    };
    let signed = req.sign(&k0);
    let _ = signed.message_hash();
    drop((k7, k0));

    // Generation: fresh secrets, registered as soon as they exist, then used.
    let g = PrivateKey::generate();
    register("generated key", g.expose_secret());
    let _ = g.sign(b"generated");
    let ks = keystore::encrypt_web3(&g, &pw, scrypt_fast());
    let _ = keystore::decrypt(&ks, &pw).unwrap();
    drop(g);
    let gm = Mnemonic::generate_in(Language::English, WordCount::from_words(12).unwrap());
    let text = gm.phrase();
    register("generated mnemonic", text.as_bytes());
    let gseed = gm.to_seed(&Passphrase::new("TREZOR"));
    register("generated seed", gseed.as_bytes());
    let gacct = AccountKey::from_seed(&gseed, 0).unwrap();
    let gk = gacct.private_key(3).unwrap();
    register("generated HD key", gk.expose_secret());
    let _ = gk.sign(b"generated hd");
    drop((gk, gacct, gseed, text, gm));
}

#[test]
fn no_freed_block_holds_a_secret() {
    register("V7 key", &hex::decode(V7_KEY).unwrap());
    register("V1 key", &hex::decode(V1_KEY0).unwrap());
    register("V1 mnemonic", V1_MNEMONIC.as_bytes());
    register("V1 seed", &hex::decode(V1_SEED).unwrap());
    for (i, s) in V1_PATH_SECRETS.iter().enumerate() {
        register(&format!("V1 path secret {i}"), &hex::decode(s).unwrap());
    }
    register("password", PASSWORD.as_bytes());

    // The harness must be able to fail: a secret freed without a wipe is found.
    ARMED.store(true, Ordering::Relaxed);
    let leaked = hex::decode(V7_KEY).unwrap();
    drop(std::hint::black_box(leaked));
    let f = findings();
    ARMED.store(false, Ordering::Relaxed);
    assert_eq!(
        f,
        vec!["V7 key/raw in a freed block of 32 bytes".to_string()]
    );
    BUSY.with(|b| b.set(true));
    REGISTRY.lock().unwrap().findings.clear();
    BUSY.with(|b| b.set(false));

    let expect = Expected {
        seed: hex::decode(V1_SEED).unwrap().try_into().unwrap(),
        key0: hex::decode(V1_KEY0).unwrap().try_into().unwrap(),
    };
    ARMED.store(true, Ordering::Relaxed);
    flows(&expect);
    ARMED.store(false, Ordering::Relaxed);
    let f = findings();
    assert!(
        f.is_empty(),
        "secrets in freed heap blocks:\n{}",
        f.join("\n")
    );
}
