//! BIP-32 hierarchical deterministic keys and BIP-44 paths (secp256k1, HMAC-SHA512 "Bitcoin
//! seed"), implemented on k256 + hmac.
//!
//! [`ExtendedPrivateKey`] and [`ExtendedPublicKey`] are secrets (a chain code plus a private key,
//! or a chain code plus a public key: an xpub and any non-hardened child private key give the
//! parent private key). Both are wiped on drop, print only their position in the tree in
//! `Debug`, and have no `Display`, `Serialize`, `Copy` or `Clone`; the base58 forms are returned
//! as wiped strings by [`ExtendedPrivateKey::to_xprv`] / [`ExtendedPublicKey::to_xpub`].
//!
//! Cost: a child private key is an HMAC and a scalar addition; the EC multiplication that gives a
//! public key is done only when needed (non-hardened children, addresses, fingerprints for
//! serialisation) and cached. [`ExtendedPrivateKey::derive_path`] skips the parent fingerprint of
//! every intermediate level. [`AccountKey`] keeps `m/44'/714'/account'/0` with its public key, so
//! each address index costs one HMAC and one EC multiplication.
//!
//! Decoding rejects every invalid key of BIP-32 test vector 5, each with its own [`HdError`].

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use hmac::{Hmac, KeyInit, Mac};
use k256::elliptic_curve::ff::PrimeField;
use k256::{ProjectivePoint, Scalar};
use sha2::Sha512;
use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

use crate::address::{Address, Hrp};
use crate::hash::sha256;
use crate::keys::{PrivateKey, PublicKey};
use crate::mnemonic::Seed;
use crate::secmem::{SecretBytes, scrub_stack};

/// The hardened-index flag (2^31).
pub const HARDENED: u32 = 1 << 31;
/// SLIP-44 coin type of BNB Beacon Chain (Binance Chain).
pub const BINANCE_COIN_TYPE: u32 = 714;
/// Version bytes of a mainnet extended private key (`xprv`).
pub const XPRV_VERSION: [u8; 4] = [0x04, 0x88, 0xAD, 0xE4];
/// Version bytes of a mainnet extended public key (`xpub`).
pub const XPUB_VERSION: [u8; 4] = [0x04, 0x88, 0xB2, 0x1E];

/// Why a path, a derivation or an extended key was refused. Messages never contain key material;
/// path errors name the component at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HdError {
    /// The path text is empty.
    #[error("derivation path is empty; write it like m/44'/714'/0'/0/0")]
    EmptyPath,
    /// One component of the path does not parse.
    #[error(
        "derivation path component {position} (\"{component}\") is invalid: {reason}; write components as decimal indices below 2^31, with ' or h for hardened, like m/44'/714'/0'/0/0"
    )]
    PathComponent {
        /// 1-based position after `m`.
        position: usize,
        /// The component as written.
        component: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A child index of 2^31 or more (hardened indices are written with `'`).
    #[error(
        "child index {0} is too large: indices are below 2^31 (2147483648); mark hardened ones with ' instead of adding 2^31"
    )]
    IndexOutOfRange(u32),
    /// More than 255 levels.
    #[error("extended keys can be at most 255 levels deep; this path would reach depth {0}")]
    TooDeep(usize),
    /// A BIP-32 seed is 16 to 64 bytes.
    #[error("a BIP-32 seed must be 16 to 64 bytes, got {0}")]
    SeedLength(usize),
    /// The seed's HMAC gives 0 or a value ≥ n (probability below 2^-127).
    #[error("this seed gives an invalid master key (BIP-32: use another seed)")]
    InvalidMasterKey,
    /// The child's tweak is ≥ n or the child key is 0 / the point at infinity (probability below
    /// 2^-127).
    #[error("child {0} is invalid (BIP-32: proceed with the next index)")]
    InvalidChild(ChildNumber),
    /// Hardened children need the private key.
    #[error(
        "hardened child {0} cannot be derived from an extended public key; derive it from the extended private key"
    )]
    HardenedFromPublic(ChildNumber),
    /// Not base58.
    #[error("extended key is not valid base58 (a character outside the base58 alphabet)")]
    Base58,
    /// Decodes to something other than 78 + 4 bytes.
    #[error(
        "extended key has the wrong length: it must decode to 82 bytes (111 base58 characters)"
    )]
    Length,
    /// The base58check checksum does not match.
    #[error("extended key checksum does not match: it was mistyped or truncated")]
    Checksum,
    /// The version is neither xprv (0488ADE4) nor xpub (0488B21E).
    #[error(
        "unknown extended key version {}; only mainnet xprv (0488ade4) and xpub (0488b21e) are supported",
        hex::encode(.0)
    )]
    UnknownVersion([u8; 4]),
    /// The version says public but the key data is a private key.
    #[error("extended key has the xpub version but carries private key data")]
    PublicVersionPrivateKey,
    /// The version says private but the key data is a public key.
    #[error("extended key has the xprv version but carries public key data")]
    PrivateVersionPublicKey,
    /// The first key-data byte is not 00 (xprv) or 02/03 (xpub).
    #[error(
        "extended key data starts with {prefix:#04x}; {expected} keys start with {}",
        if *.expected == "private" { "00" } else { "02 or 03" }
    )]
    KeyPrefix {
        /// The byte found.
        prefix: u8,
        /// `private` or `public`.
        expected: &'static str,
    },
    /// Depth 0 (a master key) must have a zero parent fingerprint.
    #[error("extended key has depth 0 (master) but a non-zero parent fingerprint")]
    ZeroDepthParentFingerprint,
    /// Depth 0 (a master key) must have child number 0.
    #[error("extended key has depth 0 (master) but a non-zero child number")]
    ZeroDepthChildNumber,
    /// The private key is 0 or not below the curve order.
    #[error(
        "extended private key is out of range (it must be greater than 0 and less than the secp256k1 order)"
    )]
    PrivateKeyRange,
    /// The public key is not a point on secp256k1.
    #[error("extended public key is not a valid secp256k1 point")]
    PublicKeyInvalid,
    /// An xpub was given where an xprv is needed.
    #[error("expected an extended private key (xprv), got an extended public key (xpub)")]
    NotPrivate,
    /// An xprv was given where an xpub is needed.
    #[error(
        "expected an extended public key (xpub), got an extended private key (xprv); convert it first"
    )]
    NotPublic,
}

/// A child index with its hardened flag (`raw = index | 2^31` for hardened).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChildNumber(u32);

impl ChildNumber {
    /// A normal (non-hardened) child, `index < 2^31`.
    pub fn normal(index: u32) -> Result<Self, HdError> {
        if index >= HARDENED {
            return Err(HdError::IndexOutOfRange(index));
        }
        Ok(Self(index))
    }

    /// A hardened child, `index < 2^31`.
    pub fn hardened(index: u32) -> Result<Self, HdError> {
        if index >= HARDENED {
            return Err(HdError::IndexOutOfRange(index));
        }
        Ok(Self(index | HARDENED))
    }

    /// From the serialised 32-bit value (the hardened flag is the top bit).
    pub const fn from_raw(raw: u32) -> Self {
        Self(raw)
    }

    /// The serialised 32-bit value.
    pub const fn raw(self) -> u32 {
        self.0
    }

    /// The index without the hardened flag.
    pub const fn index(self) -> u32 {
        self.0 & !HARDENED
    }

    /// Whether this is a hardened child.
    pub const fn is_hardened(self) -> bool {
        self.0 & HARDENED != 0
    }
}

impl fmt::Display for ChildNumber {
    /// `5` or `44'`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.index())?;
        if self.is_hardened() {
            f.write_str("'")?;
        }
        Ok(())
    }
}

/// A BIP-32 derivation path such as `m/44'/714'/0'/0/5`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DerivationPath {
    children: Vec<ChildNumber>,
}

impl DerivationPath {
    /// The empty path `m` (the master key itself).
    pub fn master() -> Self {
        Self::default()
    }

    /// A path of the given children (at most 255).
    pub fn new(children: Vec<ChildNumber>) -> Result<Self, HdError> {
        if children.len() > 255 {
            return Err(HdError::TooDeep(children.len()));
        }
        Ok(Self { children })
    }

    /// The children, from the master down.
    pub fn children(&self) -> &[ChildNumber] {
        &self.children
    }

    /// The number of levels.
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Whether this is `m`.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// This path with one more level.
    pub fn child(&self, child: ChildNumber) -> Result<Self, HdError> {
        let mut children = Vec::with_capacity(self.children.len() + 1);
        children.extend_from_slice(&self.children);
        children.push(child);
        Self::new(children)
    }
}

impl FromStr for DerivationPath {
    type Err = HdError;

    /// Parses `m/44'/714'/0'/0/5`. Hardened components end in `'`, `h` or `H`; the leading `m/`
    /// may be left out (`44'/714'/0'/0/0`, as go-sdk writes paths); `m` alone is the master.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(HdError::EmptyPath);
        }
        let rest = if s == "m" || s == "M" {
            ""
        } else if let Some(r) = s.strip_prefix("m/").or_else(|| s.strip_prefix("M/")) {
            if r.is_empty() {
                return Err(component_error(1, "", "it is empty"));
            }
            r
        } else {
            s
        };
        if rest.is_empty() {
            return Ok(Self::master());
        }
        let mut children = Vec::new();
        for (i, comp) in rest.split('/').enumerate() {
            children.push(parse_component(i + 1, comp)?);
        }
        Self::new(children)
    }
}

fn component_error(position: usize, component: &str, reason: &'static str) -> HdError {
    HdError::PathComponent {
        position,
        component: component.to_string(),
        reason,
    }
}

fn parse_component(position: usize, comp: &str) -> Result<ChildNumber, HdError> {
    let err = |reason| component_error(position, comp, reason);
    let (digits, hardened) = match comp.strip_suffix(['\'', 'h', 'H']) {
        Some(d) => (d, true),
        None => (comp, false),
    };
    if digits.is_empty() {
        return Err(err("it has no index"));
    }
    // Digits only: u32::from_str would also take a leading '+'.
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("it is not a decimal index"));
    }
    let index: u32 = digits
        .parse()
        .map_err(|_| err("the index is 2^31 or more"))?;
    if index >= HARDENED {
        return Err(err("the index is 2^31 or more"));
    }
    Ok(if hardened {
        ChildNumber(index | HARDENED)
    } else {
        ChildNumber(index)
    })
}

impl fmt::Display for DerivationPath {
    /// `m/44'/714'/0'/0/5` (hardened written with `'`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("m")?;
        for c in &self.children {
            write!(f, "/{c}")?;
        }
        Ok(())
    }
}

/// The Binance Chain BIP-44 path `m/44'/714'/{account}'/0/{index}` (js-sdk/go-sdk/Ledger layout).
pub fn binance_path(account: u32, index: u32) -> Result<DerivationPath, HdError> {
    DerivationPath::new(vec![
        ChildNumber::hardened(44)?,
        ChildNumber::hardened(BINANCE_COIN_TYPE)?,
        ChildNumber::hardened(account)?,
        ChildNumber::normal(0)?,
        ChildNumber::normal(index)?,
    ])
}

/// A 32-byte chain code, in its own locked page, wiped on drop.
struct ChainCode(SecretBytes<32>);

impl ChainCode {
    fn from_slice(b: &[u8]) -> Self {
        let mut c = SecretBytes::zeroed();
        c.expose_mut().copy_from_slice(b);
        Self(c)
    }

    fn bytes(&self) -> &[u8; 32] {
        self.0.expose()
    }
}

type HmacSha512 = Hmac<Sha512>;

/// HMAC-SHA512(key, data…), written into a locked page that is wiped when dropped.
#[inline(never)]
fn hmac512(key: &[u8], parts: &[&[u8]]) -> SecretBytes<64> {
    use hmac::digest::FixedOutput;
    let mut mac = HmacSha512::new_from_slice(key).expect("HMAC takes keys of any length");
    for p in parts {
        mac.update(p);
    }
    let mut out = SecretBytes::<64>::zeroed();
    let dst: &mut hmac::digest::Output<HmacSha512> = (&mut out.expose_mut()[..])
        .try_into()
        .expect("SHA-512 output is 64 bytes");
    mac.finalize_into(dst);
    out
}

/// The first 4 bytes of HASH160 of a compressed public key.
fn fingerprint_of(pk: &PublicKey) -> [u8; 4] {
    let h = pk.hash160();
    [h[0], h[1], h[2], h[3]]
}

/// The public key of a secret already known to be in range.
fn public_from_secret(secret: &SecretBytes<32>) -> PublicKey {
    let sec1 = crate::ecdsa::public_key(secret.expose());
    scrub_stack();
    let sec1 = sec1.expect("an extended private key is always in range");
    PublicKey::from_sec1(&sec1).expect("the ECDSA engine returns valid points")
}

/// `child = IL + k_par mod n` (BIP-32 CKDpriv), written into a fresh locked page; `None` when
/// IL ≥ n or the sum is 0. The caller scrubs the stack afterwards.
fn tweak_add(il: &[u8], parent: &SecretBytes<32>) -> Option<SecretBytes<32>> {
    let mut child = SecretBytes::zeroed();
    let ok = tweak_add_into(il, parent.expose(), child.expose_mut());
    scrub_stack();
    ok.then_some(child)
}

#[inline(never)]
fn tweak_add_into(il: &[u8], parent: &[u8; 32], out: &mut [u8; 32]) -> bool {
    let mut repr = Zeroizing::new(k256::FieldBytes::default());
    repr.copy_from_slice(il);
    let tweak: Option<Scalar> = Scalar::from_repr(*repr).into();
    let Some(tweak) = tweak.map(Zeroizing::new) else {
        return false;
    };
    repr.copy_from_slice(parent);
    let parent: Option<Scalar> = Scalar::from_repr(*repr).into();
    let Some(parent) = parent.map(Zeroizing::new) else {
        return false;
    };
    let sum = Zeroizing::new(*tweak + *parent);
    if bool::from(sum.is_zero()) {
        return false;
    }
    let mut bytes = Zeroizing::new(sum.to_repr());
    out.copy_from_slice(&bytes[..]);
    bytes.zeroize();
    true
}

/// What both kinds of extended key carry besides the key itself: the chain code and the key's
/// place in the tree. No `Debug`: the chain code is a secret.
struct Node {
    chain_code: ChainCode,
    depth: u8,
    parent_fingerprint: [u8; 4],
    child_number: ChildNumber,
}

impl Node {
    /// The master node, from the right half of the seed's HMAC.
    fn master(chain_code: &[u8]) -> Self {
        Self {
            chain_code: ChainCode::from_slice(chain_code),
            depth: 0,
            parent_fingerprint: [0; 4],
            child_number: ChildNumber(0),
        }
    }

    /// The depth of a child; none below 255 (the serialisation has one byte for it).
    fn child_depth(&self) -> Result<u8, HdError> {
        self.depth.checked_add(1).ok_or(HdError::TooDeep(256))
    }

    /// The node of `child` at `depth` (from [`Node::child_depth`]), whose CKD HMAC gave `i`
    /// (its right half is the chain code).
    fn child(
        depth: u8,
        i: &SecretBytes<64>,
        parent_fingerprint: [u8; 4],
        child: ChildNumber,
    ) -> Self {
        Self {
            chain_code: ChainCode::from_slice(&i.expose()[32..]),
            depth,
            parent_fingerprint,
            child_number: child,
        }
    }

    /// Refuses a path that would end below depth 255.
    fn check_path_depth(&self, path: &DerivationPath) -> Result<(), HdError> {
        let depth = usize::from(self.depth) + path.len();
        if depth > 255 {
            return Err(HdError::TooDeep(depth));
        }
        Ok(())
    }

    /// CKD's HMAC for a non-hardened child: `HMAC-SHA512(c, serP(K) ‖ ser32(i))`.
    fn normal_child_hmac(&self, public: &PublicKey, child: ChildNumber) -> SecretBytes<64> {
        hmac512(
            self.chain_code.bytes(),
            &[&public.to_compressed(), &child.raw().to_be_bytes()],
        )
    }

    /// An explicit second copy (the chain code is treated as a secret).
    fn clone_secret(&self) -> Self {
        Self {
            chain_code: ChainCode(self.chain_code.0.clone_secret()),
            depth: self.depth,
            parent_fingerprint: self.parent_fingerprint,
            child_number: self.child_number,
        }
    }

    /// Base58check of the 78-byte serialisation with `version` and the 33-byte `key`, built in
    /// wiped buffers.
    fn encode(&self, version: [u8; 4], key: &[u8; 33]) -> Zeroizing<String> {
        let mut data = Zeroizing::new([0u8; 82]);
        data[..4].copy_from_slice(&version);
        data[4] = self.depth;
        data[5..9].copy_from_slice(&self.parent_fingerprint);
        data[9..13].copy_from_slice(&self.child_number.raw().to_be_bytes());
        data[13..45].copy_from_slice(self.chain_code.bytes());
        data[45..78].copy_from_slice(key);
        let check = sha256(&sha256(&data[..78]));
        data[78..].copy_from_slice(&check[..4]);
        let mut out = Zeroizing::new([0u8; 128]);
        let n = bs58::encode(&data[..])
            .onto(&mut out[..])
            .expect("82 bytes encode to at most 112 characters");
        let mut s = Zeroizing::new(String::with_capacity(n));
        s.push_str(std::str::from_utf8(&out[..n]).expect("base58 is ASCII"));
        s
    }
}

/// The getters of a node's place in the tree, the same for both kinds of extended key (each has
/// a `node: Node` field and a `public_key()` method).
macro_rules! node_getters {
    () => {
        /// Levels below the master (0 for the master).
        pub fn depth(&self) -> u8 {
            self.node.depth
        }

        /// The child number this key was derived with (0 for the master).
        pub fn child_number(&self) -> ChildNumber {
            self.node.child_number
        }

        /// The first 4 bytes of the parent's key identifier (zero for the master).
        pub fn parent_fingerprint(&self) -> [u8; 4] {
            self.node.parent_fingerprint
        }

        /// The first 4 bytes of this key's identifier (HASH160 of its public key).
        pub fn fingerprint(&self) -> [u8; 4] {
            fingerprint_of(&self.public_key())
        }
    };
}

/// A BIP-32 extended private key.
pub struct ExtendedPrivateKey {
    secret: SecretBytes<32>,
    node: Node,
    /// Computed on first use (an EC multiplication), then kept.
    public: OnceLock<PublicKey>,
}

impl ExtendedPrivateKey {
    /// The master key of a BIP-32 seed (16 to 64 bytes; a BIP-39 seed is 64).
    pub fn from_seed(seed: &[u8]) -> Result<Self, HdError> {
        if !(16..=64).contains(&seed.len()) {
            return Err(HdError::SeedLength(seed.len()));
        }
        let i = hmac512(b"Bitcoin seed", &[seed]);
        scrub_stack();
        let mut secret = SecretBytes::zeroed();
        secret.expose_mut().copy_from_slice(&i.expose()[..32]);
        // 0 < k < n (BIP-32: otherwise the master key is invalid).
        let in_range = crate::ecdsa::is_valid_secret(secret.expose());
        scrub_stack();
        if !in_range {
            return Err(HdError::InvalidMasterKey);
        }
        Ok(Self {
            secret,
            node: Node::master(&i.expose()[32..]),
            public: OnceLock::new(),
        })
    }

    /// The master key of a BIP-39 seed.
    pub fn from_bip39_seed(seed: &Seed) -> Self {
        Self::from_seed(seed.as_bytes()).expect("a 64-byte seed is a valid BIP-32 seed length")
    }

    /// The key at `path` below the master key of `seed`.
    pub fn derive_from_seed(seed: &[u8], path: &DerivationPath) -> Result<Self, HdError> {
        Self::from_seed(seed)?.derive_path(path)
    }

    /// The child `child` of this key (BIP-32 CKDpriv), with its parent fingerprint.
    pub fn derive_child(&self, child: ChildNumber) -> Result<Self, HdError> {
        self.derive_child_inner(child, true)
    }

    /// The key at `path` relative to this one (`m` is this key). Only the last level's parent
    /// fingerprint is computed; intermediate levels skip that EC multiplication when the
    /// derivation itself does not need their public key.
    pub fn derive_path(&self, path: &DerivationPath) -> Result<Self, HdError> {
        self.node.check_path_depth(path)?;
        let Some((last, init)) = path.children().split_last() else {
            return Ok(self.clone_secret());
        };
        let mut key: Option<Self> = None;
        for &c in init {
            let parent = key.as_ref().unwrap_or(self);
            key = Some(parent.derive_child_inner(c, false)?);
        }
        key.as_ref().unwrap_or(self).derive_child_inner(*last, true)
    }

    fn derive_child_inner(&self, child: ChildNumber, fingerprint: bool) -> Result<Self, HdError> {
        let depth = self.node.child_depth()?;
        let i = if child.is_hardened() {
            let index = child.raw().to_be_bytes();
            hmac512(
                self.node.chain_code.bytes(),
                &[&[0u8], self.secret.expose(), &index],
            )
        } else {
            self.node.normal_child_hmac(&self.public_key(), child)
        };
        scrub_stack();
        let secret =
            tweak_add(&i.expose()[..32], &self.secret).ok_or(HdError::InvalidChild(child))?;
        let parent_fingerprint = if fingerprint || !child.is_hardened() {
            fingerprint_of(&self.public_key())
        } else {
            // Never serialised: derive_path only skips this for intermediate levels.
            [0; 4]
        };
        Ok(Self {
            secret,
            node: Node::child(depth, &i, parent_fingerprint, child),
            public: OnceLock::new(),
        })
    }

    /// The private key.
    pub fn private_key(&self) -> PrivateKey {
        PrivateKey::from_parts(self.secret.clone_secret(), self.public_key())
    }

    /// The public key (computed once, then cached).
    pub fn public_key(&self) -> PublicKey {
        *self.public.get_or_init(|| public_from_secret(&self.secret))
    }

    /// The address of this key under `hrp`.
    pub fn address(&self, hrp: &Hrp) -> Address {
        self.public_key().address(hrp)
    }

    /// The extended public key of the same node.
    pub fn to_extended_public_key(&self) -> ExtendedPublicKey {
        ExtendedPublicKey {
            public: self.public_key(),
            node: self.node.clone_secret(),
        }
    }

    node_getters!();

    /// The base58check `xprv…` form, in memory that is wiped when dropped.
    pub fn to_xprv(&self) -> Zeroizing<String> {
        let mut key = Zeroizing::new([0u8; 33]);
        key[1..].copy_from_slice(self.secret.expose());
        let s = self.node.encode(XPRV_VERSION, &key);
        scrub_stack();
        s
    }

    /// Parses an `xprv…` string.
    pub fn from_xprv(s: &str) -> Result<Self, HdError> {
        match ExtendedKey::parse(s)? {
            ExtendedKey::Private(k) => Ok(k),
            ExtendedKey::Public(_) => Err(HdError::NotPrivate),
        }
    }

    /// An explicit second copy of the secret.
    pub fn clone_secret(&self) -> Self {
        Self {
            secret: self.secret.clone_secret(),
            node: self.node.clone_secret(),
            public: self.public.clone(),
        }
    }
}

impl fmt::Debug for ExtendedPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtendedPrivateKey")
            .field("depth", &self.node.depth)
            .field("child_number", &self.node.child_number.to_string())
            .finish_non_exhaustive()
    }
}

/// A BIP-32 extended public key (watch-only derivation of non-hardened children).
pub struct ExtendedPublicKey {
    public: PublicKey,
    node: Node,
}

impl ExtendedPublicKey {
    /// The non-hardened child `child` (BIP-32 CKDpub).
    pub fn derive_child(&self, child: ChildNumber) -> Result<Self, HdError> {
        if child.is_hardened() {
            return Err(HdError::HardenedFromPublic(child));
        }
        let depth = self.node.child_depth()?;
        let i = self.node.normal_child_hmac(&self.public, child);
        let mut repr = k256::FieldBytes::default();
        repr.copy_from_slice(&i.expose()[..32]);
        let tweak: Option<Scalar> = Scalar::from_repr(repr).into();
        let tweak = tweak.ok_or(HdError::InvalidChild(child))?;
        let point = ProjectivePoint::mul_by_generator(&tweak)
            + ProjectivePoint::from(*self.public.as_verifying_key().as_affine());
        let vk = k256::ecdsa::VerifyingKey::from_affine(point.to_affine())
            .map_err(|_| HdError::InvalidChild(child))?;
        Ok(Self {
            public: PublicKey::from_verifying_key(vk),
            node: Node::child(depth, &i, fingerprint_of(&self.public), child),
        })
    }

    /// The key at `path` relative to this one; every level must be non-hardened.
    pub fn derive_path(&self, path: &DerivationPath) -> Result<Self, HdError> {
        self.node.check_path_depth(path)?;
        if let Some(&h) = path.children().iter().find(|c| c.is_hardened()) {
            return Err(HdError::HardenedFromPublic(h));
        }
        let mut key = self.clone_secret();
        for &c in path.children() {
            key = key.derive_child(c)?;
        }
        Ok(key)
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// The address of this key under `hrp`.
    pub fn address(&self, hrp: &Hrp) -> Address {
        self.public.address(hrp)
    }

    node_getters!();

    /// The base58check `xpub…` form (wiped when dropped: it carries the chain code).
    pub fn to_xpub(&self) -> Zeroizing<String> {
        let key = Zeroizing::new(self.public.to_compressed());
        self.node.encode(XPUB_VERSION, &key)
    }

    /// Parses an `xpub…` string.
    pub fn from_xpub(s: &str) -> Result<Self, HdError> {
        match ExtendedKey::parse(s)? {
            ExtendedKey::Public(k) => Ok(k),
            ExtendedKey::Private(_) => Err(HdError::NotPublic),
        }
    }

    /// An explicit second copy (the chain code is treated as a secret).
    pub fn clone_secret(&self) -> Self {
        Self {
            public: self.public,
            node: self.node.clone_secret(),
        }
    }
}

impl fmt::Debug for ExtendedPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtendedPublicKey")
            .field("depth", &self.node.depth)
            .field("child_number", &self.node.child_number.to_string())
            .field("public_key", &self.public)
            .finish_non_exhaustive()
    }
}

/// A decoded extended key of either kind.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExtendedKey {
    /// An xprv.
    Private(ExtendedPrivateKey),
    /// An xpub.
    Public(ExtendedPublicKey),
}

impl ExtendedKey {
    /// Decodes an `xprv…` or `xpub…` string (mainnet versions), checking the checksum, the
    /// version, the depth-0 consistency rules, the key prefix and the key itself.
    pub fn parse(s: &str) -> Result<Self, HdError> {
        let mut buf = Zeroizing::new([0u8; 128]);
        let n = bs58::decode(s.trim())
            .onto(&mut buf[..])
            .map_err(|e| match e {
                bs58::decode::Error::BufferTooSmall => HdError::Length,
                _ => HdError::Base58,
            })?;
        if n != 82 {
            return Err(HdError::Length);
        }
        let (payload, check) = buf[..82].split_at(78);
        if sha256(&sha256(payload))[..4] != *check {
            return Err(HdError::Checksum);
        }
        let version: [u8; 4] = payload[..4].try_into().expect("4 bytes");
        let private = match version {
            XPRV_VERSION => true,
            XPUB_VERSION => false,
            v => return Err(HdError::UnknownVersion(v)),
        };
        let depth = payload[4];
        let parent_fingerprint: [u8; 4] = payload[5..9].try_into().expect("4 bytes");
        let child_number = ChildNumber(u32::from_be_bytes(
            payload[9..13].try_into().expect("4 bytes"),
        ));
        let chain = &payload[13..45];
        let key = &payload[45..78];
        match (private, key[0]) {
            (true, 0) | (false, 2 | 3) => {}
            (true, 2 | 3) => return Err(HdError::PrivateVersionPublicKey),
            (false, 0) => return Err(HdError::PublicVersionPrivateKey),
            (true, p) => {
                return Err(HdError::KeyPrefix {
                    prefix: p,
                    expected: "private",
                });
            }
            (false, p) => {
                return Err(HdError::KeyPrefix {
                    prefix: p,
                    expected: "public",
                });
            }
        }
        if depth == 0 && parent_fingerprint != [0; 4] {
            return Err(HdError::ZeroDepthParentFingerprint);
        }
        if depth == 0 && child_number.raw() != 0 {
            return Err(HdError::ZeroDepthChildNumber);
        }
        let node = Node {
            chain_code: ChainCode::from_slice(chain),
            depth,
            parent_fingerprint,
            child_number,
        };
        if private {
            let mut secret = SecretBytes::zeroed();
            secret.expose_mut().copy_from_slice(&key[1..]);
            let in_range = crate::ecdsa::is_valid_secret(secret.expose());
            scrub_stack();
            if !in_range {
                return Err(HdError::PrivateKeyRange);
            }
            Ok(Self::Private(ExtendedPrivateKey {
                secret,
                node,
                public: OnceLock::new(),
            }))
        } else {
            let public = PublicKey::from_sec1(key).map_err(|_| HdError::PublicKeyInvalid)?;
            Ok(Self::Public(ExtendedPublicKey { public, node }))
        }
    }
}

/// The Binance Chain account-level key `m/44'/714'/{account}'/0`, kept so that deriving many
/// address indices costs one HMAC and one EC multiplication each.
pub struct AccountKey {
    account: u32,
    key: ExtendedPrivateKey,
}

impl AccountKey {
    /// The account key of a BIP-39 seed.
    pub fn from_seed(seed: &Seed, account: u32) -> Result<Self, HdError> {
        Self::from_master(&ExtendedPrivateKey::from_bip39_seed(seed), account)
    }

    /// The account key below a master key.
    pub fn from_master(master: &ExtendedPrivateKey, account: u32) -> Result<Self, HdError> {
        let path = DerivationPath::new(vec![
            ChildNumber::hardened(44)?,
            ChildNumber::hardened(BINANCE_COIN_TYPE)?,
            ChildNumber::hardened(account)?,
            ChildNumber::normal(0)?,
        ])?;
        let key = master.derive_path(&path)?;
        // Every index needs it: compute it now rather than on the first call.
        key.public_key();
        Ok(Self { account, key })
    }

    /// The account number.
    pub fn account(&self) -> u32 {
        self.account
    }

    /// The full path of address `index`.
    pub fn path(&self, index: u32) -> Result<DerivationPath, HdError> {
        binance_path(self.account, index)
    }

    /// The extended private key of address `index` (`m/44'/714'/account'/0/index`).
    pub fn derive(&self, index: u32) -> Result<ExtendedPrivateKey, HdError> {
        self.key.derive_child(ChildNumber::normal(index)?)
    }

    /// The private key of address `index`.
    pub fn private_key(&self, index: u32) -> Result<PrivateKey, HdError> {
        let child = ChildNumber::normal(index)?;
        let i = self
            .key
            .node
            .normal_child_hmac(&self.key.public_key(), child);
        let secret =
            tweak_add(&i.expose()[..32], &self.key.secret).ok_or(HdError::InvalidChild(child))?;
        PrivateKey::from_secret(secret).map_err(|_| HdError::InvalidChild(child))
    }

    /// The address of index `index` under `hrp`.
    pub fn address(&self, index: u32, hrp: &Hrp) -> Result<Address, HdError> {
        Ok(self.private_key(index)?.address(hrp))
    }

    /// The watch-only extended public key of the account's external chain.
    pub fn to_extended_public_key(&self) -> ExtendedPublicKey {
        self.key.to_extended_public_key()
    }
}

impl fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountKey(m/44'/714'/{}'/0, ..)", self.account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn path_parse_and_display() {
        let p: DerivationPath = "m/44'/714'/0'/0/5".parse().unwrap();
        assert_eq!(p.to_string(), "m/44'/714'/0'/0/5");
        assert_eq!(p, binance_path(0, 5).unwrap());
        assert_eq!("m/44h/714H/0'/0/5".parse::<DerivationPath>().unwrap(), p);
        assert_eq!("44'/714'/0'/0/5".parse::<DerivationPath>().unwrap(), p);
        assert_eq!(
            "m".parse::<DerivationPath>().unwrap(),
            DerivationPath::master()
        );
        assert_eq!(DerivationPath::master().to_string(), "m");
        assert_eq!(
            "m/0/2147483647'"
                .parse::<DerivationPath>()
                .unwrap()
                .children()[1]
                .raw(),
            u32::MAX
        );
    }

    #[test]
    fn path_errors_name_the_component() {
        for (text, pos, comp) in [
            ("m/44'/x/0", 2, "x"),
            ("m/44'//0", 2, ""),
            ("m/2147483648", 1, "2147483648"),
            ("m/+1", 1, "+1"),
            ("m/-1", 1, "-1"),
            ("m/1''", 1, "1''"),
            ("m/'", 1, "'"),
            ("m/44'/m/0", 2, "m"),
            ("m/", 1, ""),
            ("m/99999999999", 1, "99999999999"),
        ] {
            match text.parse::<DerivationPath>() {
                Err(HdError::PathComponent {
                    position,
                    component,
                    ..
                }) => {
                    assert_eq!((position, component.as_str()), (pos, comp), "{text}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        assert_eq!("".parse::<DerivationPath>(), Err(HdError::EmptyPath));
        let e = "m/44'/x".parse::<DerivationPath>().unwrap_err().to_string();
        assert!(e.contains("component 2 (\"x\")"), "{e}");
        let deep = vec!["0"; 256].join("/");
        assert_eq!(deep.parse::<DerivationPath>(), Err(HdError::TooDeep(256)));
        assert_eq!(
            binance_path(HARDENED, 0),
            Err(HdError::IndexOutOfRange(HARDENED))
        );
    }

    fn vector1_master() -> ExtendedPrivateKey {
        ExtendedPrivateKey::from_seed(&hex::decode("000102030405060708090a0b0c0d0e0f").unwrap())
            .unwrap()
    }

    #[test]
    fn debug_is_redacted() {
        let m = vector1_master();
        let xprv = m.to_xprv();
        let chain_hex = hex::encode(m.node.chain_code.bytes());
        let secret_hex = hex::encode(m.secret.expose());
        let xpub = m.to_extended_public_key();
        let acct = AccountKey::from_master(&m, 0).unwrap();
        for dbg in [format!("{m:?}"), format!("{xpub:?}"), format!("{acct:?}")] {
            assert!(!dbg.contains(&chain_hex), "{dbg}");
            assert!(!dbg.contains(&secret_hex), "{dbg}");
            assert!(!dbg.contains(&xprv[4..20]), "{dbg}");
        }
        assert_eq!(
            format!("{m:?}"),
            "ExtendedPrivateKey { depth: 0, child_number: \"0\", .. }"
        );
        assert_eq!(format!("{acct:?}"), "AccountKey(m/44'/714'/0'/0, ..)");
    }

    #[test]
    fn seed_length_is_checked() {
        assert_eq!(
            ExtendedPrivateKey::from_seed(&[1u8; 15]).unwrap_err(),
            HdError::SeedLength(15)
        );
        assert_eq!(
            ExtendedPrivateKey::from_seed(&[1u8; 65]).unwrap_err(),
            HdError::SeedLength(65)
        );
    }

    #[test]
    fn hardened_from_public_is_refused() {
        let xpub = vector1_master().to_extended_public_key();
        let h = ChildNumber::hardened(0).unwrap();
        assert_eq!(
            xpub.derive_child(h).unwrap_err(),
            HdError::HardenedFromPublic(h)
        );
    }

    #[test]
    fn kind_mismatch_is_reported() {
        let m = vector1_master();
        let xpub = m.to_extended_public_key().to_xpub();
        assert_eq!(
            ExtendedPrivateKey::from_xprv(&xpub).unwrap_err(),
            HdError::NotPrivate
        );
        assert_eq!(
            ExtendedPublicKey::from_xpub(&m.to_xprv()).unwrap_err(),
            HdError::NotPublic
        );
    }

    #[test]
    fn derive_path_matches_step_by_step() {
        let m = vector1_master();
        let p: DerivationPath = "m/44'/714'/3'/0/7".parse().unwrap();
        let mut step = m.clone_secret();
        for &c in p.children() {
            step = step.derive_child(c).unwrap();
        }
        let fast = m.derive_path(&p).unwrap();
        assert_eq!(*fast.to_xprv(), *step.to_xprv());
        let acct = AccountKey::from_master(&m, 3).unwrap();
        assert_eq!(*acct.derive(7).unwrap().to_xprv(), *step.to_xprv());
        assert_eq!(acct.private_key(7).unwrap(), step.private_key());
        let hrp = Hrp::new("bnb").unwrap();
        assert_eq!(acct.address(7, &hrp).unwrap(), step.address(&hrp));
        assert_eq!(acct.path(7).unwrap(), p);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn path_roundtrip(raw in prop::collection::vec(any::<u32>(), 0..8)) {
            let p = DerivationPath::new(raw.into_iter().map(ChildNumber::from_raw).collect()).unwrap();
            let back: DerivationPath = p.to_string().parse().unwrap();
            prop_assert_eq!(back, p);
        }

        #[test]
        fn ckd_pub_equals_pub_of_ckd_priv(seed in prop::collection::vec(any::<u8>(), 16..=64),
                                          index in 0u32..HARDENED) {
            let m = ExtendedPrivateKey::from_seed(&seed).unwrap();
            let c = ChildNumber::normal(index).unwrap();
            let via_priv = m.derive_child(c).unwrap().to_extended_public_key();
            let via_pub = m.to_extended_public_key().derive_child(c).unwrap();
            prop_assert_eq!(&*via_priv.to_xpub(), &*via_pub.to_xpub());
        }

        #[test]
        fn xprv_xpub_roundtrip(seed in prop::collection::vec(any::<u8>(), 16..=64), index in any::<u32>()) {
            let k = ExtendedPrivateKey::from_seed(&seed).unwrap().derive_child(ChildNumber::from_raw(index)).unwrap();
            let s = k.to_xprv();
            prop_assert_eq!(&*ExtendedPrivateKey::from_xprv(&s).unwrap().to_xprv(), &*s);
            let p = k.to_extended_public_key().to_xpub();
            prop_assert_eq!(&*ExtendedPublicKey::from_xpub(&p).unwrap().to_xpub(), &*p);
        }
    }
}
