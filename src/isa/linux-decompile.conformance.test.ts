// Conformance with syzkaller's pkg/report/testdata/linux/decompile: for each oops (.in) the
// expected output (.out) holds syzkaller's "Code disassembly (best guess)" listing, or nothing
// when there is no kernel Code: line worth decoding (BUG/WARN trap, user space only, hang).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { shared } from "../../test/shared.js";
import { findFaultingCode } from "./find-faulting-code.js";
import { formatListing } from "./listing.js";
import type { IsaArch } from "./types.js";

const dir = shared("corpus", "syzkaller", "linux-decompile");
const arches: Readonly<Record<string, IsaArch>> = { amd64: "x86_64", arm64: "arm64", arm: "arm" };

// syzkaller decides these by report type, which belongs to the oops parser, not to isa/.
const hangReports: Readonly<Record<string, string>> = {
  "amd64/2": "RCU stall: syzkaller does not decode Code: lines of Hang reports",
};

interface ListingLine {
  offset: number;
  bytes: string;
  text: string;
  trapping: boolean;
}

const listingLine = /^([* ]) *([0-9a-f]+):\t(.*?)\s*\t(.*?)( <-- trapping instruction)?$/;

/** objdump's trailing comments (`// #4269801472`, `@ 0xffffffe0`) go; whitespace collapses. */
const normalize = (text: string) =>
  text
    .replace(/\s(?:\/\/|@) .*$/, "")
    .replace(/\s+/g, " ")
    .trim();

function parseListing(text: string): ListingLine[] {
  return text
    .split("\n")
    .map((l) => listingLine.exec(l))
    .filter((m) => m !== null)
    .map(([, star, offset = "", bytes = "", body = "", trap]) => ({
      offset: Number.parseInt(offset, 16),
      bytes: bytes.trim().replace(/\s+/g, " "),
      text: normalize(body),
      trapping: star === "*" || trap !== undefined,
    }));
}

const header = "Code disassembly (best guess):\n";

function cases(): { name: string; arch: IsaArch; input: string; expected?: string }[] {
  const out = [];
  for (const [sub, arch] of Object.entries(arches)) {
    if (!existsSync(join(dir, sub))) continue;
    for (const file of readdirSync(join(dir, sub))
      .filter((f) => f.endsWith(".in"))
      .sort()) {
      const base = file.slice(0, -3);
      const input = readFileSync(join(dir, sub, file), "utf8").replace(/\r/g, "");
      const output = readFileSync(join(dir, sub, `${base}.out`), "utf8").replace(/\r/g, "");
      const at = output.indexOf(header);
      const expected = at === -1 ? undefined : output.slice(at + header.length);
      out.push({
        name: `${sub}/${base}`,
        arch,
        input,
        ...(expected === undefined ? {} : { expected }),
      });
    }
  }
  return out;
}

describe("linux-decompile conformance (syzkaller)", () => {
  const all = cases();
  let matched = 0;

  it("finds the corpus", () => assert.ok(all.length >= 7, `${all.length} cases`));

  for (const c of all) {
    it(c.name, async () => {
      const found = await findFaultingCode(c.arch, c.input.split("\n"));
      const hang = hangReports[c.name];
      if (hang !== undefined) {
        assert.equal(c.expected, undefined, "syzkaller shows no listing for this hang");
        assert.ok(found, "the stalled CPU's code still decodes; the caller skips hangs");
        matched++;
        return;
      }
      if (c.expected === undefined) {
        assert.equal(found, undefined, "nothing worth decoding (trap, user space or no bytes)");
        matched++;
        return;
      }
      assert.ok(found, "a kernel Code: line decodes");
      const want = parseListing(c.expected);
      const got = parseListing(formatListing(found.decoding));
      assert.ok(want.length > 0);
      assert.deepEqual(got, want);
      if (c.arch === "x86_64") {
        // objdump's column layout too, byte for byte.
        assert.equal(formatListing(found.decoding), c.expected.trimEnd());
      }
      matched++;
    });
  }

  it("reports the score", (t) => {
    t.diagnostic(`linux-decompile: ${matched}/${all.length} match`);
    assert.equal(matched, all.length);
  });
});
