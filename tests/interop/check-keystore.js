#!/usr/bin/env node
"use strict";
// Checks keystores written by another implementation (ours) with the official JS SDK:
//   node check-keystore.js FILE...
// Each FILE is a vector file (docs/test-vectors.md) whose `keystore` vectors carry the keystore
// object, the password and either the expected private_key or expect_error "wrong-password".
// Every such vector is decrypted with crypto.getPrivateKeyFromKeyStore. Vectors of other types
// are ignored (counted); a file without keystore vectors is an error. Exits 1 on any mismatch.
const fs = require("fs");
const { sdk, SOURCE } = require("./lib/sdk");

function checkVector(v) {
  if (typeof v.password !== "string" || typeof v.keystore !== "object" || v.keystore === null) {
    return "malformed: needs a keystore object and a password string";
  }
  let key;
  try {
    // Passed as JSON text, as a wallet reading the file would.
    key = sdk.crypto.getPrivateKeyFromKeyStore(JSON.stringify(v.keystore), v.password);
  } catch (e) {
    if (v.expect_error === "wrong-password" && /mac check failed/.test(e.message)) return null;
    return `js-sdk failed: ${e.message}`;
  }
  if (v.expect_error) return `expected ${v.expect_error}, but the js-sdk decrypted it`;
  if (typeof v.private_key !== "string") return "malformed: no private_key to compare";
  if (key !== v.private_key.toLowerCase()) return "decrypted key differs from private_key";
  return null;
}

function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node check-keystore.js FILE...   (vector files with `keystore` vectors)");
    process.exit(2);
  }
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      console.log(`FAIL ${file}: cannot read: ${e.message}`);
      failed++;
      continue;
    }
    const vectors = (doc.vectors || []).filter((v) => v.type === "keystore");
    if (vectors.length === 0) {
      console.log(`FAIL ${file}: no keystore vectors`);
      failed++;
      continue;
    }
    let filePassed = 0;
    for (const v of vectors) {
      const why = checkVector(v);
      if (why) {
        console.log(`FAIL ${file}:${v.id}: ${why}`); // never prints the password or the key
        failed++;
      } else {
        filePassed++;
      }
    }
    passed += filePassed;
    console.log(`${file}: ${filePassed} of ${vectors.length} keystores open as expected with ${SOURCE.split(" ")[0]}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
