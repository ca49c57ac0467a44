/**
 * Target over `Code:` lines: the report field parser (oops/fields/code), the isa line parser,
 * and decoding of the bytes on every architecture, from real Code: lines with their tokens
 * mutated and from raw bytes with any fault offset.
 */
import fc from "fast-check";
import { parseCodeLine } from "../../../src/isa/code-line.js";
import { decodeCode } from "../../../src/isa/decode-code.js";
import { formatListing } from "../../../src/isa/listing.js";
import type { IsaArch } from "../../../src/isa/types.js";
import { CODE_LINE, parseCode } from "../../../src/oops/fields/code.js";
import { textSeeds } from "../corpus.js";
import { defineTarget } from "../target.js";

const realCodeLines = [
  ...new Set(
    textSeeds().flatMap((s) =>
      s.text.split("\n").flatMap((l) => {
        const at = l.indexOf("Code: ");
        return at < 0 ? [] : [l.slice(at)];
      }),
    ),
  ),
];
// arm64 and arm shapes the x86 lab does not print
realCodeLines.push(
  "Code: d2800001 f9400021 d65f03c0 d503233f (f9400000)",
  "Code: e3a00000 e5800000 (e5900000) e12fff1e",
  "Code: 4770 2000 (6800) bf00",
);

const arches: IsaArch[] = ["x86_64", "i386", "arm64", "arm"];

const token = fc.oneof(
  fc.constantFrom(
    "<48>",
    "(d65f03c0)",
    "<>",
    "<4",
    "48>",
    "zz",
    "0",
    "123",
    "<0f><0b>",
    "((00))",
    "ffffffffff",
  ),
  fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF<>()x "), maxLength: 10 }),
);

const tokenOp = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom("replace", "insert", "delete", "mark"),
  token,
});

const codeLine = fc.oneof(
  fc
    .tuple(
      fc.nat(),
      fc.array(tokenOp, { maxLength: 5 }),
      fc.constantFrom("", "[  2.5] ", "  ", "x]Code"),
    )
    .map(([i, ops, lead]) => {
      const tokens = (realCodeLines[i % realCodeLines.length] as string).slice(6).split(" ");
      for (const op of ops) {
        const at = op.at % Math.max(1, tokens.length);
        if (op.kind === "replace") tokens[at] = op.token;
        else if (op.kind === "insert") tokens.splice(at, 0, op.token);
        else if (op.kind === "delete") tokens.splice(at, 1);
        else tokens[at] = `<${tokens[at] ?? ""}>`;
      }
      return `${lead}Code: ${tokens.join(" ")}`;
    }),
  fc.array(token, { maxLength: 600 }).map((t) => `Code: ${t.join(" ")}`),
);

export const codeTargets = [
  defineTarget({
    name: "oops-code",
    about: "Code: lines through oops/fields/code, isa parseCodeLine and decodeCode (4 arches)",
    arbitrary: fc.record({
      line: codeLine,
      raw: fc.record({
        bytes: fc.uint8Array({ maxLength: 96 }),
        faultOffset: fc.oneof(fc.nat({ max: 100 }), fc.integer(), fc.constant(Number.NaN)),
        unit: fc.constantFrom(1, 2, 4, undefined),
        address: fc.option(fc.bigInt({ min: -1n, max: 2n ** 64n }), { nil: undefined }),
      }),
    }),
    async run({ line, raw }) {
      const m = CODE_LINE.exec(line);
      if (m) parseCode(m[1] as string);
      const parsed = parseCodeLine(line);
      for (const arch of arches) {
        if (parsed !== undefined) {
          const decoded = await decodeCode(arch, parsed, 0xffffffffc05ad645n);
          if (decoded) formatListing(decoded);
        }
        const code =
          raw.unit === undefined
            ? { bytes: raw.bytes, faultOffset: raw.faultOffset }
            : { bytes: raw.bytes, faultOffset: raw.faultOffset, unit: raw.unit as 1 | 2 | 4 };
        const decoded = await decodeCode(arch, code, raw.address);
        if (decoded) formatListing(decoded);
      }
    },
    materialize: ({ line }) => line,
  }),
];
