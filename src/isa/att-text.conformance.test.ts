/**
 * parseAttInstruction (crash `dis` text) against iced-x86 on every x86 Code: line of
 * syzkaller's linux-report corpus (read in place from ../shared/corpus).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { shared } from "../../test/shared.js";
import { parseAttInstruction } from "./att-text.js";
import { parseCodeLine } from "./code-line.js";
import { decodeCode } from "./decode-code.js";
import type { MemoryOperand } from "./types.js";

// The text parser and the decoder must agree: parse the AT&T text iced produced for every
// instruction in syzkaller's real x86 Code: lines and compare memory operands.
describe("parseAttInstruction agrees with iced-x86 on real code", () => {
  // iced reports the implicit stack read of `pop (%rsp)` before its explicit store.
  const knownDifferences = new Set(["popq (%rsp)"]);
  const key = (m: MemoryOperand | undefined) =>
    m === undefined
      ? "-"
      : [m.base, m.index, m.scale, m.displacement, m.segment, m.access].join("|");

  it("matches base, index, scale, displacement, segment and access", async () => {
    const dir = shared("corpus", "syzkaller", "linux-report");
    let compared = 0;
    const mismatches: string[] = [];
    for (const file of readdirSync(dir)) {
      for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
        const code = parseCodeLine(line);
        if (code?.unit !== 1) continue;
        const d = await decodeCode("x86_64", code);
        for (const ins of d?.instructions ?? []) {
          if (ins.isBad || knownDifferences.has(ins.text)) continue;
          compared++;
          const fromText = parseAttInstruction(ins.text);
          if (key(fromText?.memory) !== key(ins.memory)) {
            mismatches.push(`${ins.text}: ${key(ins.memory)} vs ${key(fromText?.memory)}`);
          }
        }
      }
    }
    assert.ok(compared > 4000, `compared ${compared} instructions`);
    assert.deepEqual(mismatches, []);
  });
});
