//! `serde` support for the newtypes (the `serde` feature): each is a JSON string in exactly its
//! `Display` form and is parsed with its `FromStr`, so a deserialized value has passed the same
//! checks as one parsed from user input.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::tx::TxHash;
use crate::{Address, Fixed8};

struct FromStrVisitor<T>(PhantomData<T>, &'static str);

impl<T> Visitor<'_> for FromStrVisitor<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.1)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        s.parse().map_err(E::custom)
    }
}

macro_rules! string_serde {
    ($ty:ty, $expecting:literal) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(FromStrVisitor(PhantomData, $expecting))
            }
        }
    };
}

string_serde!(Address, "a bech32 address string");
string_serde!(Fixed8, "a decimal amount string with at most 8 decimals");
string_serde!(TxHash, "a transaction hash of 64 hex characters");

#[cfg(test)]
mod tests {
    use super::*;

    // Values from test-vectors/: binance-key-derivation.json v1-bnb (address),
    // binance-tx.json V10-new-order (tx_hash); 0.000396 is docs/upstream-vectors.md §5 V26's price.
    #[test]
    fn newtypes_are_json_strings_in_their_display_form() {
        let json = r#"{"address":"bnb1ss57e8sa7xnwq030k2ctr775uac9gjzg347gp4","price":"0.000396","tx_hash":"0A46200587F4BC8C58BEC70BDCD31D956571372EE080D4AA93C4EF99CF063A15"}"#;
        #[derive(Serialize, Deserialize)]
        struct Row {
            address: Address,
            price: Fixed8,
            tx_hash: TxHash,
        }
        let row: Row = serde_json::from_str(json).unwrap();
        assert_eq!(row.price.units(), 39_600);
        assert_eq!(serde_json::to_string(&row).unwrap(), json);
    }

    #[test]
    fn malformed_strings_are_refused_with_the_parse_error() {
        fn refused<T>(json: &str) -> (String, String)
        where
            T: for<'de> Deserialize<'de> + FromStr,
            T::Err: fmt::Display,
        {
            let text: String = serde_json::from_str(json).unwrap();
            let parse = text.parse::<T>().err().expect("malformed").to_string();
            let serde = serde_json::from_str::<T>(json).err().expect("malformed");
            assert!(serde.is_data());
            (serde.to_string(), parse)
        }
        // The V1 address with its last checksum character changed.
        let (got, parse) = refused::<Address>(r#""bnb1ss57e8sa7xnwq030k2ctr775uac9gjzg347gp5""#);
        assert_eq!(got, format!("{parse} at line 1 column 44"));
        let (got, parse) = refused::<TxHash>(r#""0A46""#);
        assert_eq!(got, format!("{parse} at line 1 column 6"));
        let (got, parse) = refused::<Fixed8>(r#""1.000000001""#);
        assert_eq!(got, format!("{parse} at line 1 column 13"));
        // A number is not an amount: amounts are strings, so no float rounding sneaks in.
        let err = serde_json::from_str::<Fixed8>("1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: integer `1`, expected a decimal amount string with at most 8 decimals at line 1 column 1"
        );
    }
}
