/**
 * The agent's reduction of a large dump is `crashlens extract --for dmesg`'s, byte for byte,
 * on committed real dumps of both architectures; a text file is refused as a dump.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { cli } from "../test/cli.js";
import { testdata } from "../test/shared.js";
import { detectDump } from "./dump/detect.js";
import { extractMinimalDump } from "./extract-dump.js";

const dir = mkdtempSync(join(tmpdir(), "crashlens-minimal-dump-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("minimal dump", () => {
  for (const name of ["hung-shell.kdump-zlib", "arm64-nullread-dmesg.kdump-zlib"]) {
    it(`${name}: the same bytes as crashlens extract writes`, async () => {
      const path = testdata("dumps", name);
      const minimal = await extractMinimalDump(path);
      const out = join(dir, `${name}.extract`);
      const run = await cli(["extract", path, out]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(Buffer.from(minimal.bytes).equals(readFileSync(out)));
      assert.equal(detectDump(minimal.bytes.subarray(0, 8192))?.format, "kdump-compressed");
      assert.ok(minimal.bytes.length <= statSync(path).size);
    });
  }

  it("a 2.9 MB dump becomes one of under 100 kB", async () => {
    const minimal = await extractMinimalDump(testdata("dumps", "hung-shell.kdump-zlib"));
    assert.ok(minimal.bytes.length < 100_000, `${minimal.bytes.length} bytes`);
    assert.ok(minimal.pages > 100 && minimal.pages < 200, `${minimal.pages} pages`);
  });

  it("refuses a text file", async () => {
    await assert.rejects(
      extractMinimalDump(testdata("dumps", "nullread.dmesg.txt")),
      /not a vmcore/,
    );
  });
});
