//! cargo-fuzz entry point; the body (and its round-trip checks) is in `dexlink-fuzz-targets`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dexlink_fuzz_targets::bnb_sign_request(data));
