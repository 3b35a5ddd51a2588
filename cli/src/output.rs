//! Output conventions: one JSON document on stdout with `--json`, human text otherwise.

use serde_json::Value;

/// Prints one JSON document on stdout.
pub fn print_json(v: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("a JSON value always serialises")
    );
}

/// Prints a `--json` error on stdout: `{"error": {"kind": KIND, "message": MESSAGE}}`
/// (`docs/json-output.md`), on one line: after a JSON-lines stream (`watch`) it is one more
/// line, and a single document otherwise.
pub fn print_error_json(kind: &str, message: &str) {
    let v = serde_json::json!({"error": {"kind": kind, "message": message}});
    println!("{v}");
}

/// The start of the panic message of the print macros when writing fails.
const PRINT_FAILED: [&str; 2] = ["failed printing to stdout", "failed printing to stderr"];

/// The text of a panic payload, if it is one.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&'static str>().copied())
}

/// Whether a panic message is a print macro failing on a closed stdout or stderr (EPIPE).
fn is_closed_text(t: &str) -> bool {
    PRINT_FAILED.iter().any(|p| t.starts_with(p)) && t.contains("Broken pipe")
}

/// Whether a caught panic is a print macro failing on a closed stdout or stderr (EPIPE).
pub fn is_closed_output(payload: &(dyn std::any::Any + Send)) -> bool {
    panic_text(payload).is_some_and(is_closed_text)
}

/// Keeps the panic hook silent for a closed output (the reader went away: nothing to tell it);
/// every other panic is reported as before.
pub fn quiet_closed_output() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info.payload_as_str().is_some_and(is_closed_text) {
            default(info);
        }
    }));
}
