"use strict";
// Deterministic random source for the generators: SHA-256 in counter mode over a text seed.
// Same seed, same bytes, on every machine and node version (no Math.random anywhere).
const { createHash } = require("crypto");

class Rng {
  constructor(seed) {
    this.seed = String(seed);
    this.counter = 0;
    this.pool = Buffer.alloc(0);
  }

  /** n pseudo-random bytes. */
  bytes(n) {
    const parts = [this.pool];
    let have = this.pool.length;
    while (have < n) {
      const block = createHash("sha256").update(`${this.seed}\u0000${this.counter++}`).digest();
      parts.push(block);
      have += block.length;
    }
    const all = Buffer.concat(parts);
    this.pool = all.subarray(n);
    return Buffer.from(all.subarray(0, n));
  }

  /** Uniform BigInt in [0, bound). */
  below(bound) {
    bound = BigInt(bound);
    if (bound <= 0n) throw new Error("bound must be positive");
    const len = Math.ceil(bound.toString(16).length / 2) + 8; // 64 extra bits: negligible bias
    return BigInt("0x" + this.bytes(len).toString("hex")) % bound;
  }

  /** Uniform BigInt in [lo, hi] (inclusive). */
  range(lo, hi) {
    lo = BigInt(lo);
    hi = BigInt(hi);
    return lo + this.below(hi - lo + 1n);
  }

  /** Uniform safe integer in [0, n). */
  int(n) {
    return Number(this.below(n));
  }

  /** True with probability p. */
  chance(p) {
    return this.int(1000000) < p * 1000000;
  }

  pick(arr) {
    return arr[this.int(arr.length)];
  }

  /** Picks from [[weight, value], ...]. */
  weighted(table) {
    const total = table.reduce((s, [w]) => s + w, 0);
    let r = this.int(total);
    for (const [w, v] of table) {
      if (r < w) return v;
      r -= w;
    }
    return table[table.length - 1][1];
  }

  hex(n) {
    return this.bytes(n).toString("hex");
  }
}

/** secp256k1 group order: private keys must be in [1, N-1]. */
const SECP256K1_N = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

/** A random valid private key (hex, 32 bytes), with a few edge keys mixed in. */
function privateKey(rng) {
  const edge = rng.weighted([
    [96, null],
    [1, 1n],
    [1, SECP256K1_N - 1n],
    [1, rng.range(1n, 1n << 64n)], // many leading zero bytes
    [1, SECP256K1_N - rng.range(1n, 1n << 64n)],
  ]);
  let k = edge;
  while (k === null || k <= 0n || k >= SECP256K1_N) k = BigInt("0x" + rng.hex(32));
  return k.toString(16).padStart(64, "0");
}

module.exports = { Rng, privateKey, SECP256K1_N };
