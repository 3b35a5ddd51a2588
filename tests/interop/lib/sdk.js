"use strict";
// Loads the pinned official JS SDK and drives it offline: no request ever leaves the process.
const { createHash } = require("crypto");
const sdk = require("@binance-chain/javascript-sdk");
const { DefaultSigningDelegate } = require("@binance-chain/javascript-sdk/lib/client");
const sdkPackage = require("@binance-chain/javascript-sdk/package.json");

/** Which tiny-secp256k1 backend the SDK got (native addon or its pure-JS fallback). */
function secpBackend() {
  const tiny = require("tiny-secp256k1");
  try {
    return require("tiny-secp256k1/native") === tiny ? "native" : "js";
  } catch (_) {
    return "js";
  }
}

const SOURCE = `${sdkPackage.name}@${sdkPackage.version} (npm registry, pinned in tests/interop/package-lock.json)`;

/**
 * A BncClient that can sign but cannot talk to anything: its HTTP client throws, the signing
 * delegate is the SDK's default one (wrapped only to record the sign bytes) and the broadcast
 * delegate hands back the signed Transaction instead of posting it.
 */
async function offlineClient({ privateKey, chainId, hrp, accountNumber, source }) {
  const client = new sdk.BncClient("http://offline.invalid", false, source);
  client._httpClient.request = () => {
    throw new Error("the JS SDK tried to use the network; the generator must supply every input");
  };
  client.chainId = chainId;
  client.addressPrefix = hrp;
  await client.setPrivateKey(privateKey, true);
  client.setAccountNumber(accountNumber);
  const captured = {};
  client.setSigningDelegate(async function (tx, signMsg) {
    captured.signBytes = tx.getSignBytes(signMsg);
    return DefaultSigningDelegate.call(this, tx, signMsg);
  });
  client.setBroadcastDelegate(async (signedTx) => signedTx);
  return { client, captured };
}

/** The outputs of a signed SDK Transaction, in vector field names. */
function txOutputs(tx, signBytes) {
  const txHex = tx.serialize();
  return {
    sign_bytes: signBytes.toString("utf8"),
    signature: Buffer.from(tx.signatures[0].signature).toString("hex"),
    tx_hex: txHex,
    tx_hash: createHash("sha256").update(Buffer.from(txHex, "hex")).digest("hex").toUpperCase(),
  };
}

module.exports = { sdk, sdkPackage, SOURCE, secpBackend, offlineClient, txOutputs };
