//! BIP-39 mnemonics: generation, parsing, entropy and seeds.
//!
//! [`Mnemonic`], [`Passphrase`] and [`Seed`] are secrets: they are wiped on drop, print as
//! `Mnemonic(..)` / `Passphrase(..)` / `Seed(..)`, and have no `Display`, `Serialize`, `Copy` or
//! `Clone` (a second copy must be asked for by name with [`Mnemonic::clone_secret`]). The words
//! of a phrase are shown to the user through [`Mnemonic::phrase`], which builds the text in
//! memory that is wiped when dropped.
//!
//! The word lists are those of the `bip39` crate (every list it ships). Russian and Turkish
//! lists exist upstream (trezor/python-mnemonic) but not in the crate, so they are not offered.
//!
//! The seed is PBKDF2-HMAC-SHA512 over the canonical phrase (the list's words joined by single
//! ASCII spaces, which is the NFKD form of any valid input) with salt `"mnemonic" ‖
//! NFKD(passphrase)`, 2048 rounds (BIP-39; docs/keys-and-addresses.md §2). It is computed with RustCrypto
//! `pbkdf2` into a wiped buffer rather than with `bip39::Mnemonic::to_seed`, whose plain return
//! array and internal copies cannot be wiped.

use std::fmt;
use std::str::FromStr;

use sha2::Sha512;
use thiserror::Error;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkd_quick};
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::secmem::SecretBytes;

/// Why a mnemonic, its entropy or a language name was refused. Messages never contain the
/// phrase or any word of it: [`MnemonicError::UnknownWord`] gives the position of the word that
/// is not in the list and whether it is close to a list word (a likely typo), so the user can
/// find and correct it without the error (or a log holding it) repeating part of the secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MnemonicError {
    /// A word is not in the word list.
    #[error(
        "word {position} of the mnemonic is not in {}; {}",
        list_phrase(*.list),
        if *.close {
            "it is close to a word of that list (one letter off, or the same first four letters), so it is likely a typo: check its spelling (words are lowercase, separated by spaces)"
        } else {
            "it is not close to any word of that list: check that it is the right word (words are lowercase, separated by spaces)"
        }
    )]
    UnknownWord {
        /// 1-based position of the word in the phrase.
        position: usize,
        /// The word list searched; `None` when every supported list was tried (the closeness
        /// is then judged against the list holding most of the other words).
        list: Option<Language>,
        /// Whether the word is one edit (insertion, deletion, substitution or transposition of
        /// adjacent letters) from a list word, or shares its first four letters with one (BIP-39
        /// words are unique in their first four letters).
        close: bool,
    },
    /// A word is in the word list once lower-cased: BIP-39 words are lower case.
    #[error(
        "word {position} of the mnemonic has capital letters; BIP-39 words are lower case: type it in lower case"
    )]
    CapitalisedWord {
        /// 1-based position of the word in the phrase.
        position: usize,
    },
    /// The words are all known but the checksum (the last bits of the last word) does not match.
    #[error(
        "the mnemonic's checksum does not match: a word is wrong, missing, or the words are out of order"
    )]
    InvalidChecksum,
    /// BIP-39 phrases have 12, 15, 18, 21 or 24 words.
    #[error("a mnemonic has 12, 15, 18, 21 or 24 words, this one has {0}")]
    BadWordCount(usize),
    /// BIP-39 entropy is 16, 20, 24, 28 or 32 bytes.
    #[error("mnemonic entropy must be 16, 20, 24, 28 or 32 bytes (128–256 bits), got {0} bytes")]
    InvalidEntropyLength(usize),
    /// The language name is not one of [`Language::ALL`].
    #[error(
        "unknown word-list language \"{0}\"; use one of: english, chinese_simplified, chinese_traditional, czech, french, italian, japanese, korean, portuguese, spanish"
    )]
    UnknownLanguage(String),
}

/// A BIP-39 word list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Language {
    /// English (the default, and the only list most wallets accept).
    #[default]
    English,
    /// Simplified Chinese.
    ChineseSimplified,
    /// Traditional Chinese.
    ChineseTraditional,
    /// Czech.
    Czech,
    /// French.
    French,
    /// Italian.
    Italian,
    /// Japanese (phrases are shown with ideographic spaces, U+3000).
    Japanese,
    /// Korean.
    Korean,
    /// Portuguese.
    Portuguese,
    /// Spanish.
    Spanish,
}

impl Language {
    /// Every supported list, in the order auto-detection tries them.
    pub const ALL: [Language; 10] = [
        Language::English,
        Language::ChineseSimplified,
        Language::ChineseTraditional,
        Language::Czech,
        Language::French,
        Language::Italian,
        Language::Japanese,
        Language::Korean,
        Language::Portuguese,
        Language::Spanish,
    ];

    /// The snake_case name (as in trezor/python-mnemonic's `vectors.json`): `english`,
    /// `chinese_simplified`, ...
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "english",
            Language::ChineseSimplified => "chinese_simplified",
            Language::ChineseTraditional => "chinese_traditional",
            Language::Czech => "czech",
            Language::French => "french",
            Language::Italian => "italian",
            Language::Japanese => "japanese",
            Language::Korean => "korean",
            Language::Portuguese => "portuguese",
            Language::Spanish => "spanish",
        }
    }

    /// The 2048 words of the list, in index order (NFKD-normalised).
    pub fn word_list(self) -> &'static [&'static str; 2048] {
        self.to_bip39().word_list()
    }

    /// The separator used when showing a phrase: U+3000 for Japanese (as BIP-39 and the
    /// reference implementation do), a space otherwise. Both normalise to a space.
    fn separator(self) -> &'static str {
        match self {
            Language::Japanese => "\u{3000}",
            _ => " ",
        }
    }

    fn to_bip39(self) -> bip39::Language {
        match self {
            Language::English => bip39::Language::English,
            Language::ChineseSimplified => bip39::Language::SimplifiedChinese,
            Language::ChineseTraditional => bip39::Language::TraditionalChinese,
            Language::Czech => bip39::Language::Czech,
            Language::French => bip39::Language::French,
            Language::Italian => bip39::Language::Italian,
            Language::Japanese => bip39::Language::Japanese,
            Language::Korean => bip39::Language::Korean,
            Language::Portuguese => bip39::Language::Portuguese,
            Language::Spanish => bip39::Language::Spanish,
        }
    }

    fn from_bip39(lang: bip39::Language) -> Self {
        match lang {
            bip39::Language::English => Language::English,
            bip39::Language::SimplifiedChinese => Language::ChineseSimplified,
            bip39::Language::TraditionalChinese => Language::ChineseTraditional,
            bip39::Language::Czech => Language::Czech,
            bip39::Language::French => Language::French,
            bip39::Language::Italian => Language::Italian,
            bip39::Language::Japanese => Language::Japanese,
            bip39::Language::Korean => Language::Korean,
            bip39::Language::Portuguese => Language::Portuguese,
            bip39::Language::Spanish => Language::Spanish,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Language {
    type Err = MnemonicError;

    /// Accepts the snake_case names, case-insensitively, with `-` or a space for `_`, and the
    /// `bip39` crate's `simplified-chinese` / `traditional-chinese` spellings.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .trim()
            .chars()
            .map(|c| match c {
                '-' | ' ' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        let alias = match norm.as_str() {
            "simplified_chinese" => Some(Language::ChineseSimplified),
            "traditional_chinese" => Some(Language::ChineseTraditional),
            _ => None,
        };
        alias
            .or_else(|| Language::ALL.into_iter().find(|l| l.name() == norm))
            .ok_or_else(|| MnemonicError::UnknownLanguage(s.to_string()))
    }
}

/// How many words a new mnemonic has (entropy: 128, 160, 192, 224 or 256 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum WordCount {
    /// 12 words, 128-bit entropy.
    Words12,
    /// 15 words, 160-bit entropy.
    Words15,
    /// 18 words, 192-bit entropy.
    Words18,
    /// 21 words, 224-bit entropy.
    Words21,
    /// 24 words, 256-bit entropy (the default, as the Binance Chain SDKs generate).
    #[default]
    Words24,
}

impl WordCount {
    /// The count for `n` words.
    pub fn from_words(n: usize) -> Result<Self, MnemonicError> {
        Ok(match n {
            12 => WordCount::Words12,
            15 => WordCount::Words15,
            18 => WordCount::Words18,
            21 => WordCount::Words21,
            24 => WordCount::Words24,
            n => return Err(MnemonicError::BadWordCount(n)),
        })
    }

    /// The number of words.
    pub fn words(self) -> usize {
        match self {
            WordCount::Words12 => 12,
            WordCount::Words15 => 15,
            WordCount::Words18 => 18,
            WordCount::Words21 => 21,
            WordCount::Words24 => 24,
        }
    }

    /// The entropy length in bytes (4 bytes per 3 words).
    pub fn entropy_bytes(self) -> usize {
        self.words() / 3 * 4
    }
}

/// A BIP-39 mnemonic with a valid checksum. Wiped on drop (the `bip39` crate's `zeroize`
/// feature); its `Display`/serde are never exposed.
pub struct Mnemonic {
    inner: bip39::Mnemonic,
}

impl Mnemonic {
    /// A new English mnemonic of `count` words from the operating system's RNG.
    pub fn generate(count: WordCount) -> Self {
        Self::generate_in(Language::English, count)
    }

    /// A new mnemonic in `language` of `count` words from the operating system's RNG.
    pub fn generate_in(language: Language, count: WordCount) -> Self {
        let mut entropy = Zeroizing::new([0u8; 32]);
        let entropy = &mut entropy[..count.entropy_bytes()];
        getrandom::fill(entropy).expect("the operating system RNG failed");
        Self::from_entropy_in(language, entropy).expect("word counts give valid entropy lengths")
    }

    /// The English mnemonic encoding `entropy` (16, 20, 24, 28 or 32 bytes).
    pub fn from_entropy(entropy: &[u8]) -> Result<Self, MnemonicError> {
        Self::from_entropy_in(Language::English, entropy)
    }

    /// The mnemonic in `language` encoding `entropy` (16, 20, 24, 28 or 32 bytes).
    pub fn from_entropy_in(language: Language, entropy: &[u8]) -> Result<Self, MnemonicError> {
        // Checked here so that the error names bytes, not bits.
        if !matches!(entropy.len(), 16 | 20 | 24 | 28 | 32) {
            return Err(MnemonicError::InvalidEntropyLength(entropy.len()));
        }
        bip39::Mnemonic::from_entropy_in(language.to_bip39(), entropy)
            .map(|inner| Self { inner })
            .map_err(|_| MnemonicError::InvalidEntropyLength(entropy.len()))
    }

    /// Parses a phrase, detecting its word list. Input is NFKD-normalised first; words are
    /// separated by any whitespace. A phrase whose words are in several lists (some Chinese
    /// phrases are valid in both Chinese lists) takes the first list of [`Language::ALL`] whose
    /// checksum matches; the seed does not depend on which, since it is computed from the words.
    pub fn parse(phrase: &str) -> Result<Self, MnemonicError> {
        let norm = nfkd(phrase);
        let text: &str = &norm;
        let count = text.split_whitespace().count();
        WordCount::from_words(count)?;
        let mut checksum_failed = false;
        for lang in Language::ALL {
            let all_known = text
                .split_whitespace()
                .all(|w| lang.to_bip39().find_word(w).is_some());
            if !all_known {
                continue;
            }
            match bip39::Mnemonic::parse_in_normalized(lang.to_bip39(), text) {
                Ok(inner) => return Ok(Self { inner }),
                Err(_) => checksum_failed = true,
            }
        }
        if checksum_failed {
            return Err(MnemonicError::InvalidChecksum);
        }
        // No list holds every word: report the first word unknown to the list that holds the
        // most of them (the language the user most likely meant).
        let best = Language::ALL
            .into_iter()
            .max_by_key(|l| {
                let known = text
                    .split_whitespace()
                    .filter(|w| l.to_bip39().find_word(w).is_some())
                    .count();
                // Ties go to the earlier language in ALL.
                (
                    known,
                    usize::MAX - Language::ALL.iter().position(|x| x == l).unwrap_or(0),
                )
            })
            .unwrap_or_default();
        Err(unknown_word(best, text, None))
    }

    /// Parses a phrase in the given word list (NFKD-normalised first, any whitespace between
    /// words), validating the word count, every word, and the checksum.
    pub fn parse_in(language: Language, phrase: &str) -> Result<Self, MnemonicError> {
        let norm = nfkd(phrase);
        let text: &str = &norm;
        WordCount::from_words(text.split_whitespace().count())?;
        match bip39::Mnemonic::parse_in_normalized(language.to_bip39(), text) {
            Ok(inner) => Ok(Self { inner }),
            Err(bip39::Error::BadWordCount(n)) => Err(MnemonicError::BadWordCount(n)),
            Err(bip39::Error::UnknownWord(_)) => Err(unknown_word(language, text, Some(language))),
            Err(_) => Err(MnemonicError::InvalidChecksum),
        }
    }

    /// The word list of this mnemonic.
    pub fn language(&self) -> Language {
        Language::from_bip39(self.inner.language())
    }

    /// The number of words.
    pub fn word_count(&self) -> usize {
        self.inner.word_count()
    }

    /// The words, in order (static strings of the word list).
    pub fn words(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.inner.words()
    }

    /// The phrase to show the user: the words joined by spaces (U+3000 for Japanese), built at
    /// its final capacity in memory that is wiped when dropped.
    pub fn phrase(&self) -> Zeroizing<String> {
        self.join(self.language().separator())
    }

    /// The canonical form hashed into the seed: the words joined by single ASCII spaces.
    fn normalized_phrase(&self) -> Zeroizing<String> {
        self.join(" ")
    }

    fn join(&self, sep: &str) -> Zeroizing<String> {
        let n = self.word_count();
        let len = self.words().map(str::len).sum::<usize>() + sep.len() * n.saturating_sub(1);
        let mut s = Zeroizing::new(String::with_capacity(len));
        for (i, w) in self.words().enumerate() {
            if i > 0 {
                s.push_str(sep);
            }
            s.push_str(w);
        }
        debug_assert_eq!(s.len(), s.capacity());
        s
    }

    /// The entropy the phrase encodes (16–32 bytes), in memory that is wiped when dropped.
    pub fn to_entropy(&self) -> Zeroizing<Vec<u8>> {
        let (arr, len) = self.inner.to_entropy_array();
        let arr = Zeroizing::new(arr);
        let mut out = Zeroizing::new(Vec::with_capacity(len));
        out.extend_from_slice(&arr[..len]);
        out
    }

    /// The 64-byte BIP-39 seed for `passphrase` (use [`Passphrase::empty`] for none).
    pub fn to_seed(&self, passphrase: &Passphrase) -> Seed {
        const SALT_PREFIX: &[u8] = b"mnemonic";
        let words = self.normalized_phrase();
        let pass = nfkd(&passphrase.inner);
        let mut salt = Zeroizing::new(Vec::with_capacity(SALT_PREFIX.len() + pass.len()));
        salt.extend_from_slice(SALT_PREFIX);
        salt.extend_from_slice(pass.as_bytes());
        let mut seed = Seed {
            bytes: SecretBytes::zeroed(),
        };
        pbkdf2::pbkdf2_hmac::<Sha512>(
            words.as_bytes(),
            &salt,
            2048,
            &mut seed.bytes.expose_mut()[..],
        );
        crate::secmem::scrub_stack();
        seed
    }

    /// An explicit second copy of the secret.
    pub fn clone_secret(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl fmt::Debug for Mnemonic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Mnemonic({}, {} words, ..)",
            self.language(),
            self.word_count()
        )
    }
}

impl PartialEq for Mnemonic {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        let (a, b) = (self.to_entropy(), other.to_entropy());
        self.language() == other.language() && bool::from(a[..].ct_eq(&b[..]))
    }
}
impl Eq for Mnemonic {}

/// How an error names the list searched.
fn list_phrase(list: Option<Language>) -> String {
    match list {
        Some(l) => format!("the {l} word list"),
        None => "any supported word list".to_string(),
    }
}

/// The first word of `text` not in `lang`'s list, as an error (its position and whether it is
/// close to a list word; never the word).
fn unknown_word(lang: Language, text: &str, list: Option<Language>) -> MnemonicError {
    match text
        .split_whitespace()
        .enumerate()
        .find(|(_, w)| lang.to_bip39().find_word(w).is_none())
    {
        Some((i, w)) if in_list_lower_cased(lang, w) => {
            MnemonicError::CapitalisedWord { position: i + 1 }
        }
        Some((i, w)) => MnemonicError::UnknownWord {
            position: i + 1,
            list,
            close: close_to_list(lang, w),
        },
        // Unreachable for callers (they found an unknown word), but never panic on input.
        None => MnemonicError::InvalidChecksum,
    }
}

/// Whether `word` has capital letters and is a word of `lang`'s list once lower-cased.
fn in_list_lower_cased(lang: Language, word: &str) -> bool {
    if !word.chars().any(char::is_uppercase) {
        return false;
    }
    // A stack buffer, not a String: the word is secret input and must leave no heap copy.
    let mut buf = Zeroizing::new([0u8; 256]);
    let mut n = 0;
    for c in word.chars().flat_map(char::to_lowercase) {
        let len = c.len_utf8();
        if n + len > buf.len() {
            return false;
        }
        c.encode_utf8(&mut buf[n..n + len]);
        n += len;
    }
    std::str::from_utf8(&buf[..n]).is_ok_and(|w| lang.to_bip39().find_word(w).is_some())
}

/// Whether `word` is one edit from a word of `lang`'s list or shares its first four letters
/// with one.
fn close_to_list(lang: Language, word: &str) -> bool {
    // Stack buffers, not Vecs: the word is secret input and must leave no heap copy behind.
    let mut a = ['\0'; 64];
    let n = chars_into(word, &mut a);
    let found = lang.word_list().iter().any(|cand| {
        let mut b = ['\0'; 64];
        let m = chars_into(cand, &mut b);
        let prefix = n >= 4 && m >= 4 && a[..4] == b[..4];
        prefix || within_one_edit(&a[..n], &b[..m])
    });
    zeroize::Zeroize::zeroize(&mut a[..]);
    found
}

/// Copies up to 64 chars of `s` into `out`; returns how many (longer words are never close).
fn chars_into(s: &str, out: &mut [char; 64]) -> usize {
    let mut n = 0;
    for c in s.chars() {
        if n == out.len() {
            return 0;
        }
        out[n] = c;
        n += 1;
    }
    n
}

/// Damerau–Levenshtein distance (adjacent transpositions) of at most 1, without allocating.
fn within_one_edit(a: &[char], b: &[char]) -> bool {
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[pre..], &b[pre..]);
    match ra.len().cmp(&rb.len()) {
        std::cmp::Ordering::Equal => {
            ra.len() <= 1
                || ra[1..] == rb[1..]
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        std::cmp::Ordering::Less => ra == &rb[1..],
        std::cmp::Ordering::Greater => &ra[1..] == rb,
    }
}

/// NFKD of `s` in memory that is wiped when dropped, allocated once at its final size.
fn nfkd(s: &str) -> Zeroizing<String> {
    if is_nfkd_quick(s.chars()) == IsNormalized::Yes {
        let mut out = Zeroizing::new(String::with_capacity(s.len()));
        out.push_str(s);
        return out;
    }
    // Two passes: measure, then write, so the String never reallocates (a reallocation would
    // leave an unwiped copy behind).
    let len: usize = s.nfkd().map(char::len_utf8).sum();
    let mut out = Zeroizing::new(String::with_capacity(len));
    out.extend(s.nfkd());
    out
}

/// A BIP-39 passphrase (the "25th word"). Wiped on drop; NFKD-normalised when used.
pub struct Passphrase {
    inner: Zeroizing<String>,
}

impl Passphrase {
    /// The empty passphrase (what the Binance Chain SDKs use unless told otherwise).
    pub fn empty() -> Self {
        Self {
            inner: Zeroizing::new(String::new()),
        }
    }

    /// A passphrase copied from `text` (into memory that is wiped when dropped).
    pub fn new(text: &str) -> Self {
        let mut inner = Zeroizing::new(String::with_capacity(text.len()));
        inner.push_str(text);
        Self { inner }
    }

    /// A passphrase taking ownership of `text` (no copy).
    pub fn from_zeroizing(text: Zeroizing<String>) -> Self {
        Self { inner: text }
    }

    /// Whether the passphrase is empty.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

impl Default for Passphrase {
    fn default() -> Self {
        Self::empty()
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(..)")
    }
}

/// A 64-byte BIP-39 seed, in a locked page of its own (moves do not copy it); wiped on drop.
pub struct Seed {
    bytes: SecretBytes<64>,
}

impl Seed {
    /// A seed from 64 bytes (for example one stored elsewhere).
    pub fn from_bytes(bytes: &[u8; 64]) -> Self {
        Self {
            bytes: SecretBytes::from_slice(bytes),
        }
    }

    /// The 64 bytes.
    pub fn as_bytes(&self) -> &[u8; 64] {
        self.bytes.expose()
    }
}

impl ZeroizeOnDrop for Seed {}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ABANDON: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    #[test]
    fn debug_is_redacted() {
        let m = Mnemonic::parse(ABANDON).unwrap();
        let dbg = format!("{m:?}");
        assert!(!dbg.contains("abandon"), "{dbg}");
        assert_eq!(dbg, "Mnemonic(english, 12 words, ..)");
        assert_eq!(format!("{:?}", Passphrase::new("TREZOR")), "Passphrase(..)");
        let seed = m.to_seed(&Passphrase::new("TREZOR"));
        assert_eq!(format!("{seed:?}"), "Seed(..)");
    }

    #[test]
    fn a_capitalised_word_is_named_by_position_with_a_lower_case_hint() {
        // BIP-39's "abandon … about" (the English list's first vector) with word 5 capitalised.
        let phrase = "abandon abandon abandon abandon Abandon abandon abandon abandon abandon abandon abandon about";
        for e in [
            Mnemonic::parse(phrase).unwrap_err(),
            Mnemonic::parse_in(Language::English, phrase).unwrap_err(),
        ] {
            assert_eq!(e, MnemonicError::CapitalisedWord { position: 5 });
            assert_eq!(
                e.to_string(),
                "word 5 of the mnemonic has capital letters; BIP-39 words are lower case: type it in lower case"
            );
        }
        // Capitalised and also misspelt: not a list word in any case, so no such hint.
        let typo = phrase.replace("Abandon", "Abandn");
        assert!(matches!(
            Mnemonic::parse(&typo).unwrap_err(),
            MnemonicError::UnknownWord { position: 5, .. }
        ));
    }

    #[test]
    fn errors_give_the_position_and_closeness_never_the_word() {
        let phrase = "abandon abandon abandon abandonn abandon abandon abandon abandon abandon abandon abandon about";
        let e = Mnemonic::parse(phrase).unwrap_err();
        assert_eq!(
            e,
            MnemonicError::UnknownWord {
                position: 4,
                list: None,
                close: true,
            }
        );
        assert_eq!(
            e.to_string(),
            "word 4 of the mnemonic is not in any supported word list; it is close to a word of that list (one letter off, or the same first four letters), so it is likely a typo: check its spelling (words are lowercase, separated by spaces)"
        );
        let e = Mnemonic::parse_in(Language::English, phrase).unwrap_err();
        assert_eq!(
            e,
            MnemonicError::UnknownWord {
                position: 4,
                list: Some(Language::English),
                close: true,
            }
        );
        // The example: a word far from every list word, in position 3.
        let secret = "abandon abandon zzsecretword abandon abandon abandon abandon abandon abandon abandon abandon about";
        let e = Mnemonic::parse_in(Language::English, secret).unwrap_err();
        assert_eq!(
            e.to_string(),
            "word 3 of the mnemonic is not in the english word list; it is not close to any word of that list: check that it is the right word (words are lowercase, separated by spaces)"
        );
        assert!(!format!("{e} {e:?}").contains("zzsecret"));
    }

    #[test]
    fn closeness_is_one_edit_or_a_four_letter_prefix() {
        let en = Language::English;
        // "about" is a list word; one substitution, insertion, deletion, transposition away:
        for w in ["abouy", "abouts", "abut", "baout", "abotu"] {
            assert!(close_to_list(en, w), "{w}");
        }
        // Same first four letters as "abandon" ("aban..."), however it ends.
        assert!(close_to_list(en, "abanxxxxxx"));
        for w in ["zzsecretword", "qqqq", "xylophonez"] {
            assert!(!close_to_list(en, w), "{w}");
        }
    }

    #[test]
    fn checksum_and_count_errors() {
        let twelve_abandon = ["abandon"; 12].join(" ");
        assert_eq!(
            Mnemonic::parse(&twelve_abandon),
            Err(MnemonicError::InvalidChecksum)
        );
        let thirteen = format!("{ABANDON} about");
        assert_eq!(
            Mnemonic::parse(&thirteen),
            Err(MnemonicError::BadWordCount(13))
        );
        assert_eq!(
            Mnemonic::from_entropy(&[0u8; 15]),
            Err(MnemonicError::InvalidEntropyLength(15))
        );
        assert_eq!(
            Mnemonic::from_entropy(&[0u8; 36]),
            Err(MnemonicError::InvalidEntropyLength(36))
        );
    }

    #[test]
    fn whitespace_and_normalisation() {
        let spaced = format!("  {}\t", ABANDON.replace(' ', "   "));
        let m = Mnemonic::parse(&spaced).unwrap();
        assert_eq!(&*m.phrase(), ABANDON);
        assert_eq!(m.phrase().capacity(), ABANDON.len());
    }

    #[test]
    fn word_lists_are_nfkd() {
        for lang in Language::ALL {
            for w in lang.word_list() {
                assert!(unicode_normalization::is_nfkd(w), "{lang}: {w}");
            }
        }
    }

    #[test]
    fn language_names_roundtrip() {
        for lang in Language::ALL {
            assert_eq!(lang.name().parse::<Language>().unwrap(), lang);
            assert_eq!(
                lang.to_string().to_uppercase().parse::<Language>().unwrap(),
                lang
            );
        }
        assert_eq!(
            "chinese-simplified".parse::<Language>().unwrap(),
            Language::ChineseSimplified
        );
        assert!(matches!(
            "klingon".parse::<Language>(),
            Err(MnemonicError::UnknownLanguage(_))
        ));
    }

    #[test]
    fn generate_has_requested_length_and_parses_back() {
        for count in [
            WordCount::Words12,
            WordCount::Words15,
            WordCount::Words18,
            WordCount::Words21,
            WordCount::Words24,
        ] {
            let m = Mnemonic::generate(count);
            assert_eq!(m.word_count(), count.words());
            assert_eq!(m.to_entropy().len(), count.entropy_bytes());
            let again = Mnemonic::parse(&m.phrase()).unwrap();
            assert_eq!(again, m);
        }
        let j = Mnemonic::generate_in(Language::Japanese, WordCount::Words12);
        assert!(j.phrase().contains('\u{3000}'));
        assert_eq!(
            Mnemonic::parse_in(Language::Japanese, &j.phrase()).unwrap(),
            j
        );
    }

    proptest! {
        #[test]
        fn entropy_mnemonic_entropy_roundtrip(
            words in prop::sample::select(vec![12usize, 15, 18, 21, 24]),
            bytes in prop::collection::vec(any::<u8>(), 32),
            lang in prop::sample::select(Language::ALL.to_vec()),
        ) {
            let entropy = &bytes[..words / 3 * 4];
            let m = Mnemonic::from_entropy_in(lang, entropy).unwrap();
            prop_assert_eq!(m.word_count(), words);
            prop_assert_eq!(&m.to_entropy()[..], entropy);
            let back = Mnemonic::parse_in(lang, &m.phrase()).unwrap();
            prop_assert_eq!(&back.to_entropy()[..], entropy);
        }
    }
}
