"use strict";
// Writes vector files: 2-space JSON where BigInt values come out as exact JSON numbers
// (docs/test-vectors.md: amounts and prices are numbers, read as exact 64-bit integers).
const fs = require("fs");

function stringify(value, indent = "") {
  const next = indent + "  ";
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isSafeInteger(value) && Number.isInteger(value)) {
      throw new Error(`unsafe integer ${value}: use a BigInt`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    // Short arrays of scalars/small objects stay on one line to keep files readable.
    const flat = value.map((v) => stringify(v, next));
    const oneLine = `[${flat.join(", ")}]`;
    if (oneLine.length <= 100 && !oneLine.includes("\n")) return oneLine;
    return `[\n${flat.map((s) => next + s).join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  if (keys.length === 0) return "{}";
  const items = keys.map((k) => `${JSON.stringify(k)}: ${stringify(value[k], next)}`);
  const oneLine = `{${items.join(", ")}}`;
  if (oneLine.length <= 100 && !oneLine.includes("\n")) return oneLine;
  return `{\n${items.map((s) => next + s).join(",\n")}\n${indent}}`;
}

function writeVectorFile(path, file) {
  const ids = new Set();
  for (const v of file.vectors) {
    if (ids.has(v.id)) throw new Error(`duplicate vector id ${v.id}`);
    ids.add(v.id);
  }
  fs.writeFileSync(path, stringify(file) + "\n");
}

/** Parses `--count N --seed S OUT` style arguments. */
function parseArgs(argv, defaults) {
  const opts = { ...defaults, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const key = a.slice(2);
      if (!(key in defaults)) throw new Error(`unknown option ${a}`);
      const val = argv[++i];
      if (val === undefined) throw new Error(`${a} needs a value`);
      opts[key] = typeof defaults[key] === "number" ? Number(val) : val;
      if (typeof defaults[key] === "number" && !Number.isInteger(opts[key])) {
        throw new Error(`${a} needs an integer`);
      }
    } else {
      opts.positional.push(a);
    }
  }
  return opts;
}

module.exports = { stringify, writeVectorFile, parseArgs };
