//! Output conventions: one JSON document on stdout with `--json`, human text otherwise.

use serde_json::Value;

/// Prints one JSON document on stdout.
pub fn print_json(v: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("a JSON value always serialises")
    );
}
