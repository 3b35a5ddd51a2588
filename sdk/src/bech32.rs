//! BIP-173 bech32, written out so that every rejection has its own error.
//!
//! Binance Chain addresses use the original bech32 checksum (constant 1). A string whose checksum
//! is valid only as bech32m (BIP-350) is reported as such rather than as a plain checksum failure,
//! so a user who pasted a Taproot-style string learns why it was refused.

use thiserror::Error;

const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
const BECH32_CONST: u32 = 1;
const BECH32M_CONST: u32 = 0x2bc830a3;
/// BIP-173 limit on the length of the whole string.
pub const MAX_LENGTH: usize = 90;

/// Why a bech32 string or payload was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Bech32Error {
    /// The string is longer than the 90 characters BIP-173 allows.
    #[error("bech32 string is {0} characters long; the limit is 90")]
    TooLong(usize),
    /// Upper- and lower-case letters are mixed.
    #[error("bech32 string mixes upper and lower case; use one case throughout")]
    MixedCase,
    /// There is no `1` separating the human-readable part from the data.
    #[error("bech32 string has no '1' separator")]
    MissingSeparator,
    /// The human-readable part is empty or longer than 83 characters.
    #[error("bech32 human-readable part has invalid length {0} (must be 1 to 83)")]
    InvalidHrpLength(usize),
    /// A character of the human-readable part is outside ASCII 33..=126.
    #[error("bech32 human-readable part contains an invalid character at position {0}")]
    InvalidHrpChar(usize),
    /// A data character is not in the bech32 alphabet.
    #[error("bech32 data contains invalid character {0:?} at position {1}")]
    InvalidDataChar(char, usize),
    /// The data part is shorter than the 6-character checksum.
    #[error("bech32 data part is too short to hold a checksum")]
    TooShort,
    /// The checksum is valid for bech32m, not bech32.
    #[error("string has a bech32m checksum; Binance Chain addresses use bech32 (BIP-173)")]
    Bech32m,
    /// The checksum does not match.
    #[error("bech32 checksum mismatch; check the string for typos")]
    Checksum,
    /// Converting 5-bit groups to bytes left non-zero padding or more than 4 padding bits.
    #[error("bech32 data has invalid padding")]
    InvalidPadding,
}

/// Which checksum constant a string carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Variant {
    /// BIP-173.
    Bech32,
    /// BIP-350.
    Bech32m,
}

fn polymod(values: impl Iterator<Item = u8>) -> u32 {
    let mut chk: u32 = 1;
    for v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GENERATOR.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

fn hrp_expand(hrp: &[u8]) -> impl Iterator<Item = u8> + '_ {
    hrp.iter()
        .map(|c| c >> 5)
        .chain(std::iter::once(0))
        .chain(hrp.iter().map(|c| c & 31))
}

fn checksum(hrp: &[u8], data: &[u8], constant: u32) -> [u8; 6] {
    let pm = polymod(hrp_expand(hrp).chain(data.iter().copied()).chain([0u8; 6])) ^ constant;
    let mut out = [0u8; 6];
    for (i, o) in out.iter_mut().enumerate() {
        *o = ((pm >> (5 * (5 - i))) & 31) as u8;
    }
    out
}

/// Encodes a lowercase human-readable part and 5-bit data as a bech32 (BIP-173) string.
///
/// The caller guarantees `hrp` is valid lowercase ASCII and every `data` value is below 32.
pub fn encode_u5(hrp: &str, data: &[u8]) -> String {
    let hrp_bytes = hrp.as_bytes();
    let mut s = String::with_capacity(hrp.len() + 1 + data.len() + 6);
    s.push_str(hrp);
    s.push('1');
    for &d in data
        .iter()
        .chain(checksum(hrp_bytes, data, BECH32_CONST).iter())
    {
        s.push(CHARSET[usize::from(d)] as char);
    }
    s
}

/// Encodes bytes (regrouped into 5-bit words) under `hrp` as bech32.
pub fn encode(hrp: &str, bytes: &[u8]) -> String {
    encode_u5(hrp, &to_u5(bytes))
}

/// A decoded bech32 string: its lowercase human-readable part and its 5-bit data (checksum removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Lowercase human-readable part.
    pub hrp: String,
    /// 5-bit data words without the checksum.
    pub data: Vec<u8>,
}

impl Decoded {
    /// The data regrouped into bytes, with BIP-173 padding rules enforced.
    pub fn bytes(&self) -> Result<Vec<u8>, Bech32Error> {
        from_u5(&self.data)
    }
}

/// Decodes a BIP-173 bech32 string. A bech32m string is refused with [`Bech32Error::Bech32m`].
pub fn decode(s: &str) -> Result<Decoded, Bech32Error> {
    let (d, variant) = decode_any(s)?;
    match variant {
        Variant::Bech32 => Ok(d),
        Variant::Bech32m => Err(Bech32Error::Bech32m),
    }
}

/// Decodes a string with either checksum, reporting which one it carries.
pub fn decode_any(s: &str) -> Result<(Decoded, Variant), Bech32Error> {
    if s.len() > MAX_LENGTH {
        return Err(Bech32Error::TooLong(s.len()));
    }
    let has_lower = s.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = s.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper {
        return Err(Bech32Error::MixedCase);
    }
    let pos = s.rfind('1').ok_or(Bech32Error::MissingSeparator)?;
    let (hrp, rest) = (&s[..pos], &s[pos + 1..]);
    if hrp.is_empty() || hrp.len() > 83 {
        return Err(Bech32Error::InvalidHrpLength(hrp.len()));
    }
    if let Some(i) = hrp.bytes().position(|b| !(33..=126).contains(&b)) {
        return Err(Bech32Error::InvalidHrpChar(i));
    }
    let hrp = hrp.to_ascii_lowercase();
    let mut data = Vec::with_capacity(rest.len());
    for (i, c) in rest.chars().enumerate() {
        let lc = c.to_ascii_lowercase();
        let v = CHARSET
            .iter()
            .position(|&x| x as char == lc)
            .ok_or(Bech32Error::InvalidDataChar(c, pos + 1 + i))?;
        data.push(v as u8);
    }
    if data.len() < 6 {
        return Err(Bech32Error::TooShort);
    }
    let variant = match polymod(hrp_expand(hrp.as_bytes()).chain(data.iter().copied())) {
        BECH32_CONST => Variant::Bech32,
        BECH32M_CONST => Variant::Bech32m,
        _ => return Err(Bech32Error::Checksum),
    };
    data.truncate(data.len() - 6);
    Ok((Decoded { hrp, data }, variant))
}

/// Regroups 8-bit bytes into 5-bit words, zero-padding the last word.
pub fn to_u5(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity((bytes.len() * 8).div_ceil(5));
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        out.push(((acc << (5 - bits)) & 31) as u8);
    }
    out
}

/// Regroups 5-bit words into bytes; padding must be under 5 bits and all zero (BIP-173).
pub fn from_u5(data: &[u8]) -> Result<Vec<u8>, Bech32Error> {
    let mut out = Vec::with_capacity(data.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &d in data {
        acc = (acc << 5) | u32::from(d);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    if bits >= 5 || (acc << (8 - bits)) & 0xff != 0 {
        return Err(Bech32Error::InvalidPadding);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_bytes() {
        let s = encode("bnb", &[0xba; 20]);
        let d = decode(&s).unwrap();
        assert_eq!(d.hrp, "bnb");
        assert_eq!(d.bytes().unwrap(), vec![0xba; 20]);
    }

    #[test]
    fn uppercase_is_accepted_and_lowered() {
        // BIP-173 valid vector.
        let d = decode("A12UEL5L").unwrap();
        assert_eq!(d.hrp, "a");
        assert!(d.data.is_empty());
    }

    #[test]
    fn bech32m_is_named() {
        // BIP-350 valid bech32m vector.
        assert_eq!(decode("a1lqfn3a"), Err(Bech32Error::Bech32m));
    }
}
