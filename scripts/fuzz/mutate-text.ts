/**
 * Mutations of real logs at the line level (insert a grammar line, delete, duplicate, move,
 * replace, cut a line short, change line breaks) and at the character level, as data so a
 * failing list shrinks. Positions wrap to the current size.
 */
import fc from "fast-check";
import { lineBreak, logLine } from "./log-grammar.js";

export type TextOp =
  | { op: "insert"; at: number; line: string }
  | { op: "replace"; at: number; line: string }
  | { op: "delete"; at: number; count: number }
  | { op: "repeat"; at: number; count: number; times: number }
  | { op: "move"; at: number; count: number; to: number }
  | { op: "cut"; at: number; keep: number }
  | { op: "chars"; at: number; col: number; text: string }
  | { op: "truncate"; at: number };

const chars = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom(
    "\r",
    "\x1b[31m",
    "\x1b]0;t\x07",
    "\0",
    "\t",
    "<",
    ">",
    "[",
    "]",
    "\ud800",
    "x".repeat(5000),
  ),
);

export const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  fc.record({ op: fc.constant("insert"), at: fc.nat(), line: logLine }),
  fc.record({ op: fc.constant("replace"), at: fc.nat(), line: logLine }),
  fc.record({ op: fc.constant("delete"), at: fc.nat(), count: fc.integer({ min: 1, max: 50 }) }),
  fc.record({
    op: fc.constant("repeat"),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 40 }),
    times: fc.integer({ min: 1, max: 30 }),
  }),
  fc.record({
    op: fc.constant("move"),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 80 }),
    to: fc.nat(),
  }),
  fc.record({ op: fc.constant("cut"), at: fc.nat(), keep: fc.nat({ max: 120 }) }),
  fc.record({ op: fc.constant("chars"), at: fc.nat(), col: fc.nat({ max: 200 }), text: chars }),
  fc.record({ op: fc.constant("truncate"), at: fc.nat() }),
);

export interface TextMutation {
  seed: number;
  ops: TextOp[];
  br: string;
}

export function textMutation(seeds: number): fc.Arbitrary<TextMutation> {
  return fc.record({
    seed: fc.nat({ max: seeds - 1 }),
    ops: fc.array(textOp, { minLength: 1, maxLength: 8 }),
    br: lineBreak,
  });
}

export function applyTextOps(text: string, ops: readonly TextOp[], br = "\n"): string {
  let lines = text.split("\n");
  for (const op of ops) {
    const n = lines.length;
    const at = n === 0 ? 0 : op.at % n;
    switch (op.op) {
      case "insert":
        lines.splice(at, 0, op.line);
        break;
      case "replace":
        lines[at] = op.line;
        break;
      case "delete":
        lines.splice(at, op.count);
        break;
      case "repeat": {
        const block = lines.slice(at, at + op.count);
        const copies = Array.from({ length: op.times }, () => block).flat();
        lines.splice(at + block.length, 0, ...copies);
        break;
      }
      case "move": {
        const block = lines.splice(at, op.count);
        const to = lines.length === 0 ? 0 : op.to % lines.length;
        lines.splice(to, 0, ...block);
        break;
      }
      case "cut":
        if (n > 0) lines[at] = (lines[at] as string).slice(0, op.keep);
        break;
      case "chars": {
        const line = lines[at] ?? "";
        const col = Math.min(op.col, line.length);
        lines[at] = line.slice(0, col) + op.text + line.slice(col);
        break;
      }
      case "truncate":
        lines = lines.slice(0, at);
        break;
    }
  }
  return lines.join(br);
}
