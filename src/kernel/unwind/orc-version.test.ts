import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  detectOrcVersion,
  versionFromHeader,
  versionFromRelease,
  versionsFromFpEntry,
} from "./orc-version.js";
import { FakeMemory } from "./test-support.js";

describe("ORC layout detection", () => {
  it("by release: 6.1 → 1, 6.3 → 2, 6.4 and 6.12 → 3, 7.1 → 4, RHEL 9.6 5.14.0-517 → 3", () => {
    const v = (r: string) => versionFromRelease(r)?.version;
    assert.equal(v("4.19.0-27-amd64"), 1);
    assert.equal(v("6.1.0-56-cloud-amd64"), 1);
    assert.equal(v("6.3.9"), 2);
    assert.equal(v("6.4.0"), 3);
    assert.equal(v("6.12.8-arch1"), 3);
    assert.equal(v("7.0.1"), 3);
    assert.equal(v("7.1.0-rc1"), 4);
    assert.equal(v("5.14.0-503.11.1.el9_5.x86_64"), 1);
    assert.equal(v("5.14.0-517.el9.x86_64"), 3);
    assert.equal(v("5.14.0-570.12.1.el9_6.x86_64"), 3);
    assert.equal(versionFromRelease("garbage"), undefined);
  });

  it("by .orc_header hash (drgn's known hashes), unknown hashes decide nothing", () => {
    const h = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
    assert.equal(versionFromHeader(h("fe5d32bf581bd63b2ca9a5c65ba5a625eab3fe24"))?.version, 3);
    assert.equal(versionFromHeader(h("db84aed4103b31dd51e017f8f79783ca985c2c51"))?.version, 2);
    assert.equal(versionFromHeader(new Uint8Array(20)), undefined);
  });

  it("by orc_fp_entry flags: 0x0014 → v1/v2, 0x0214 → v3, 0x0284 → v4", () => {
    assert.deepEqual(versionsFromFpEntry(0x0014), [1, 2]);
    assert.deepEqual(versionsFromFpEntry(0x0214), [3]);
    assert.deepEqual(versionsFromFpEntry(0x0284), [4]);
    assert.deepEqual(versionsFromFpEntry(0x1234), []);
  });

  it("memory wins over the release: a v3 orc_fp_entry in a kernel calling itself 6.1", async () => {
    const memory = new FakeMemory();
    const fp = 0xffffffff83000000n;
    memory.write(fp, Uint8Array.from([0x10, 0, 0xf0, 0xff, 0x14, 0x02]));
    const verdict = await detectOrcVersion({
      read: memory.read,
      symbol: (n) => (n === "orc_fp_entry" ? fp : undefined),
      release: "6.1.0",
    });
    assert.equal(verdict?.version, 3);
    assert.match(verdict?.evidence ?? "", /orc_fp_entry flags 0x0214/);
  });

  it("v1/v2 family from orc_fp_entry is split by the release (6.3 → 2)", async () => {
    const memory = new FakeMemory();
    const fp = 0xffffffff83000000n;
    memory.write(fp, Uint8Array.from([0x10, 0, 0xf0, 0xff, 0x14, 0x00]));
    const symbol = (n: string) => (n === "orc_fp_entry" ? fp : undefined);
    const at = async (release: string) =>
      (await detectOrcVersion({ read: memory.read, symbol, release }))?.version;
    assert.equal(await at("6.3.5"), 2);
    assert.equal(await at("6.1.0"), 1);
  });

  it("the header is read before anything else; an unreadable one falls through to the release", async () => {
    const memory = new FakeMemory();
    const header = 0xffffffff83001000n;
    memory.write(
      header,
      Uint8Array.from(Buffer.from("db84aed4103b31dd51e017f8f79783ca985c2c51", "hex")),
    );
    const symbols: Record<string, bigint> = {
      __start_orc_header: header,
      __stop_orc_header: header + 20n,
    };
    const verdict = await detectOrcVersion({
      read: memory.read,
      symbol: (n) => symbols[n],
      release: "6.6.0",
    });
    assert.equal(verdict?.version, 2);
    symbols.__start_orc_header = 0xffffffff8f000000n; // unmapped
    symbols.__stop_orc_header = 0xffffffff8f000014n;
    const fallback = await detectOrcVersion({
      read: memory.read,
      symbol: (n) => symbols[n],
      release: "6.6.0",
    });
    assert.equal(fallback?.version, 3);
    assert.match(fallback?.evidence ?? "", /release 6\.6\.0/);
  });
});
