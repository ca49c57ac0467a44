import assert from "node:assert/strict";
import { test } from "node:test";
import { CrashlensError } from "../../errors.js";
import { DUMP_DH_COMPRESSED_SNAPPY } from "../structs/kdump.js";
import { codecFor, decompressPage } from "./index.js";

// fuzz (dump-flattened): zlib bytes read as snappy held a literal claiming ~4 GiB, which
// snappyjs copied byte by byte for seconds
test("snappy: a literal longer than the page is bad data, at once", async () => {
  const codec = codecFor(DUMP_DH_COMPRESSED_SNAPPY);
  assert.ok(codec);
  // length 4096, then a literal with a 4-byte length of 2^32 - 1
  const page = new Uint8Array([0x80, 0x20, 0xfc, 0xfe, 0xff, 0xff, 0xff, 1, 2, 3]);
  const started = performance.now();
  await assert.rejects(
    decompressPage(codec, page, 4096, "page"),
    (error) => error instanceof CrashlensError && error.code === "bad-data",
  );
  assert.ok(performance.now() - started < 500);
});

test("snappy: a real page still decompresses", async () => {
  const { compress } = await import("snappyjs");
  const codec = codecFor(DUMP_DH_COMPRESSED_SNAPPY);
  assert.ok(codec);
  const original = new Uint8Array(4096).map((_, i) => (i * 7) % 251);
  assert.deepEqual(await decompressPage(codec, compress(original), 4096, "page"), original);
});
