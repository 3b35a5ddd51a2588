//! Seeds `fuzz/corpus/<target>/` from the test-vector files (upstream data, see each file's
//! `source`): `cargo run -p dexlink-fuzz-targets --example seed_corpora`. Each entry is named by
//! its SHA-256 (first 8 bytes, hex), so reruns add nothing twice. At most `PER_TARGET` entries
//! per target are kept; `cargo fuzz cmin` shrinks them further after a run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dexlink::PrivateKey;
use dexlink::link::LinkProof;
use dexlink::signature::Signature;
use serde_json::{Value, json};

const PER_TARGET: usize = 200;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut seeds: BTreeMap<&'static str, Vec<Vec<u8>>> = BTreeMap::new();
    let mut add = |t: &'static str, b: Vec<u8>| seeds.entry(t).or_default().push(b);

    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("test-vectors"))
        .expect("test-vectors/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for f in &files {
        let doc: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let vectors = doc["vectors"].as_array().cloned().unwrap_or_default();
        let has_keystore = vectors.iter().any(|v| v["type"] == "keystore");
        for v in &vectors {
            let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            if let Some(hex) = s("tx_hex")
                && let Ok(b) = hex::decode(&hex)
            {
                add("tx_decode", b);
            }
            // The link vectors' sign bytes are cosmjs documents, not bnb_sign ones.
            if let Some(sb) = s("sign_bytes")
                && v["type"] != "link-proof"
            {
                add("sign_doc", sb.clone().into_bytes());
                add("bnb_sign_request", sb.clone().into_bytes());
                add(
                    "bnb_sign_request",
                    format!(r#"{{"id":1,"jsonrpc":"2.0","method":"bnb_sign","params":[{sb}]}}"#)
                        .into_bytes(),
                );
            }
            if let Some(k) = v.get("keystore") {
                let text = k.as_str().map_or_else(|| k.to_string(), str::to_string);
                add("keystore", text.into_bytes());
            }
            if v["type"] == "link-proof"
                && let Some(m) = s("message")
            {
                add("link_message", m.clone().into_bytes());
                let proof = s("private_key")
                    .and_then(|k| PrivateKey::from_hex(&k).ok())
                    .zip(s("signature").and_then(|h| Signature::from_hex(&h).ok()))
                    .map(|(k, sig)| {
                        LinkProof {
                            public_key: k.public_key(),
                            signature: sig,
                        }
                        .to_json()
                    })
                    .unwrap_or_else(|| json!({}));
                add("link_proof", format!("{m}\0{proof}").into_bytes());
            }
            if v["type"] == "token-recover"
                && let Some(m) = s("message")
            {
                add("recover_message", m.clone().into_bytes());
                if let (Some(pk), Some(sig)) = (s("public_key"), s("signature")) {
                    add("recover_message", format!("{m}\n{pk}\n{sig}").into_bytes());
                }
            }
            for k in ["address", "string"] {
                if let Some(a) = s(k) {
                    add("address", a.into_bytes());
                }
            }
            if let Some(m) = s("mnemonic") {
                add("mnemonic", m.into_bytes());
            }
            // Amounts: the msg objects' integer fields, as Fixed8 text and as 8 raw bytes.
            if let Some(msg) = v.get("msg") {
                for k in ["price", "quantity", "amount"] {
                    if let Some(n) = msg.get(k).and_then(Value::as_i64) {
                        add(
                            "fixed8",
                            format!("{}.{:08}", n / 100_000_000, n % 100_000_000).into_bytes(),
                        );
                        add("fixed8", n.to_le_bytes().to_vec());
                    }
                }
            }
            if !has_keystore {
                let one = json!({"name": doc["name"], "source": doc["source"], "vectors": [v]});
                add("vector_file", one.to_string().into_bytes());
            }
        }
    }
    for amount in [
        "0",
        "1",
        "0.00000001",
        "92233720368.54775807",
        "1e8",
        "-1",
        "01.10",
    ] {
        add("fixed8", amount.as_bytes().to_vec());
    }

    // devnet_http reads its input as choices (see fuzz-targets/src/devnet_http.rs): one
    // request of each kind, and an order followed by its cancel.
    for seed in [
        &[0u8, 0, 0, 0, 10, 0][..],
        &[1, 0, 1, 0, 0, 5, 0, 2],
        &[1, 0, 5, 2, 5, 0, 0, 0],
        &[2, 0, 0, 1, 0, 5, 0, 3, 0, 1, 1, 2, 3, 0, 0, 2],
        &[2, 1, 1, 0, 1, 200, 0, 9, 0, 1, 1, 2],
        &[2, 2, 2, 1, 0, 1, 0, 1, 0, 0, 1, 2],
        &[4, 0, 0, 0, 0, 1, 0, 2, 4, 0, 0, 1, 0, 1, 0, 2],
        &[5, 0, 5, 4],
        &[6, 1, 4, 0, b'z', b'z', b'z', b'z'],
        &[6, 0, 2, 0, b'{', b'}'],
        &[7, 0, 0, 1, 7, 1, 0, 2, 7, 2, 1, 3, 0, b'A', b'B', b'C'],
        &[
            7, 3, 0, 2, 7, 4, 0, 3, 7, 5, 1, 3, 0, b'x', b'=', b'1', 7, 6, 0, 0, 7, 7, 0, 0,
        ],
        &[
            8, 4, 1, 5, 0, b'/', b'a', b'?', b'b', b'=', 1, 0, 4, 0, b'{', b'"', b'}', b'"',
        ],
        &[
            8, 1, 0, 0, 2, 0, b'?', b'x', 2, 0, 5, 0, b't', b'e', b'x', b't', b'/', 1, 0, b'1', 0,
            0,
        ],
    ] {
        add("devnet_http", seed.to_vec());
    }

    for (target, mut list) in seeds {
        list.retain(|b| !b.is_empty());
        list.sort();
        list.dedup();
        // Spread the kept entries over the whole list rather than the first files only.
        let step = list.len().div_ceil(PER_TARGET).max(1);
        let dir = root.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        let mut n = 0;
        for b in list.iter().step_by(step) {
            let name = hex::encode(&dexlink::hash::sha256(b)[..8]);
            std::fs::write(dir.join(name), b).unwrap();
            n += 1;
        }
        println!("{target}: {n} entries");
    }
}
