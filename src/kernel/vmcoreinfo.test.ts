import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it, test } from "node:test";
import { parseNumber, parseVmcoreinfo } from "./vmcoreinfo.js";

describe("VMCOREINFO", () => {
  it("detects number bases as the kernel writes them", () => {
    assert.equal(parseNumber("-484442112"), -484442112n);
    assert.equal(parseNumber("0xffffc90000000000"), 0xffffc90000000000n);
    assert.equal(parseNumber("ffffffffa33f9b60", true), 0xffffffffa33f9b60n);
    assert.equal(parseNumber("12"), 12n);
    assert.equal(parseNumber("zz"), undefined);
  });

  it("parses the lab's real VMCOREINFO", async () => {
    const text = await readFile("testdata/dumps/nullread.vmcoreinfo.txt", "latin1");
    const info = parseVmcoreinfo(text);
    assert.equal(info.osrelease, "6.1.0-56-cloud-amd64");
    assert.equal(info.pageSize, 4096);
    assert.equal(info.buildId, "3b43fad5034874490492495d552c0af6a5fab235");
    assert.equal(info.kernelOffset, 0x20800000n);
    assert.equal(info.numbers.get("phys_base"), -484442112n);
    assert.equal(info.symbols.get("prb"), 0xffffffffa32622c0n);
    assert.equal(info.offsets.get("printk_info.caller_id"), 20);
    assert.equal(info.sizes.get("printk_ringbuffer"), 88);
    assert.equal(info.lengths.get("printk_info_device"), 48);
    assert.equal(info.numbers.get("PAGE_BUDDY_MAPCOUNT_VALUE"), -129n);
    assert.deepEqual(info.warnings, []);
    assert.equal(info.crashTime, undefined);
  });

  it("turns bad values into warnings, reads CRASHTIME, tolerates a missing final newline", () => {
    const info = parseVmcoreinfo(
      "PAGESIZE=abc\nSYMBOL(x)=zz\nCRASHTIME=1700000000\nCONFIG_KALLSYMS=y\nNUMBER(VMALLOC_START)=0xffffc90000000000",
    );
    assert.equal(info.pageSize, undefined);
    assert.equal(info.warnings.length, 2);
    assert.match(info.warnings.join("; "), /SYMBOL\(x\) is not a number/);
    assert.match(info.warnings.join("; "), /PAGESIZE/);
    assert.equal(info.crashTime?.toISOString(), "2023-11-14T22:13:20.000Z");
    assert.equal(info.configs.get("KALLSYMS"), "y");
    assert.equal(info.numbers.get("VMALLOC_START"), 0xffffc90000000000n);
  });
});

// fuzz (analyze-file): a CRASHTIME past what a Date holds became an Invalid Date, and
// `analyze` threw a RangeError from toISOString()
test("VMCOREINFO: a CRASHTIME beyond a Date's range is a warning, not a time", () => {
  const info = parseVmcoreinfo("CRASHTIME=99999999999999999\n");
  assert.equal(info.crashTime, undefined);
  assert.match(info.warnings.join("\n"), /CRASHTIME/);
  assert.equal(
    parseVmcoreinfo("CRASHTIME=1700000000\n").crashTime?.toISOString(),
    "2023-11-14T22:13:20.000Z",
  );
});
