/**
 * Architecture detection: e_machine first, then VMCOREINFO entries one architecture alone
 * writes, then the header's machine, then the NT_PRSTATUS note size; x86-64 only by default.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emptyVmcoreinfo, parseVmcoreinfo } from "../vmcoreinfo.js";
import { detectArch, findArch } from "./index.js";

const none = emptyVmcoreinfo();
const arm64Info = parseVmcoreinfo(
  "NUMBER(VA_BITS)=48\nNUMBER(kimage_voffset)=0xffffaf2d51c00000\nNUMBER(PHYS_OFFSET)=0x40000000\nNUMBER(TCR_EL1_T1SZ)=0x10",
);
const x86Info = parseVmcoreinfo(
  "NUMBER(phys_base)=-486539264\nSYMBOL(init_top_pgt)=ffffffffa1e0e000",
);
const prstatus = (size: number) => ({ name: "CORE", type: 1, desc: new Uint8Array(size) });

describe("detectArch", () => {
  it("trusts e_machine first", () => {
    assert.deepEqual(
      [183, 62].map((m) => {
        const d = detectArch({ elfMachine: m, vmcoreinfo: x86Info, notes: [] });
        return `${d.arch.name} by ${d.by}`;
      }),
      ["arm64 by e_machine", "x86_64 by e_machine"],
    );
  });

  it("then VMCOREINFO's arch-only entries, over a header that says otherwise", () => {
    const d = detectArch({ vmcoreinfo: arm64Info, headerMachine: "x86_64", notes: [] });
    assert.equal(d.arch.name, "arm64");
    assert.equal(d.by, "vmcoreinfo");
    assert.equal(detectArch({ vmcoreinfo: x86Info, notes: [] }).arch.name, "x86_64");
  });

  it("then the header's machine (QEMU's \"Unknown\" says nothing), then the note size", () => {
    assert.equal(
      detectArch({ vmcoreinfo: none, headerMachine: "aarch64", notes: [] }).by,
      "header",
    );
    const byNote = detectArch({
      vmcoreinfo: none,
      headerMachine: "Unknown",
      notes: [prstatus(392)],
    });
    assert.equal(byNote.arch.name, "arm64");
    assert.equal(byNote.by, "prstatus");
    assert.equal(detectArch({ vmcoreinfo: none, notes: [prstatus(336)] }).by, "prstatus");
    assert.equal(detectArch({ vmcoreinfo: none, notes: [] }).by, "default");
  });

  it("finds an architecture by any of its names", () => {
    assert.equal(findArch("aarch64")?.name, "arm64");
    assert.equal(findArch("ARM64")?.name, "arm64");
    assert.equal(findArch("amd64")?.name, "x86_64");
    assert.equal(findArch("Unknown"), undefined);
  });
});
