/**
 * Scores crashlens against Linaro SQUAD's kernel log parser expectations
 * (../shared/corpus/squad: its test logs and, per case, a category and substrings that must
 * and must not stand in the snippet it extracts). crashlens passes a case when one of its
 * reports is of that category and the report's own lines (its lead-in to its last line)
 * hold every `must` substring and no `must_not` one: the report is found, and it neither
 * swallows the boot log nor stops short. `npm run conformance -- ../shared/corpus/squad`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseText } from "../src/oops/parse.js";
import type { Report } from "../src/oops/report.js";

interface SquadCase {
  file: string;
  category: string;
  name: string;
  must: string[];
  must_not?: string[];
}

/** SQUAD's categories as report predicates (its regexes name what each one catches). */
const CATEGORIES: Record<string, (r: Report) => boolean> = {
  oops: (r) => /\bOops\b/.test(r.header.text) || r.kind !== "warning",
  bug: (r) => /\bBUG[: ]/.test(r.header.text),
  panic: (r) => r.kind === "panic" || r.panic !== undefined,
  exception: () => true,
  warning: (r) => r.kind === "warning" || /\bWARNING:/.test(r.header.text),
  kasan: (r) => r.kind === "kasan" && r.header.text.includes("KASAN"),
  kfence: (r) => r.kind === "kasan" && r.header.text.includes("KFENCE"),
  "invalid-opcode": (r) => r.kind === "invalid-opcode" || r.header.text.includes("invalid opcode"),
  fault: (r) => /\bUnhandled fault\b|\bfault\b/i.test(r.header.text),
};

function reportText(r: Report, lines: ReadonlyMap<number, string>): string {
  const out: string[] = (r.leadIn ?? []).map((l) => lines.get(l.line) ?? l.text);
  for (let no = r.lines.start; no <= r.lines.end; no++) {
    const text = lines.get(no);
    if (text !== undefined) out.push(text);
  }
  // a panic that ends the report is part of what it says
  if (r.panic && r.panic.line > r.lines.end) out.push(lines.get(r.panic.line) ?? "");
  return out.join("\n");
}

export interface SquadScore {
  passed: number;
  cases: number;
  misses: string[];
}

export function scoreSquad(dir: string): SquadScore {
  const { cases } = JSON.parse(readFileSync(join(dir, "expectations.json"), "utf8")) as {
    cases: SquadCase[];
  };
  const parsed = new Map<string, ReturnType<typeof parseText>>();
  const score: SquadScore = { passed: 0, cases: cases.length, misses: [] };
  for (const c of cases) {
    let result = parsed.get(c.file);
    if (!result) {
      result = parseText(readFileSync(join(dir, "linux_log_parser", c.file), "utf8"));
      parsed.set(c.file, result);
    }
    const fits = CATEGORIES[c.category];
    const lines = result.lines;
    const hit = result.reports.find((r) => {
      if (!fits?.(r)) return false;
      const text = reportText(r, lines);
      return (
        c.must.every((m) => text.includes(m)) && !(c.must_not ?? []).some((m) => text.includes(m))
      );
    });
    if (hit) score.passed++;
    else
      score.misses.push(
        `${c.file} ${c.category}: no report holds ${JSON.stringify(c.must)} without ${JSON.stringify(c.must_not ?? [])}`,
      );
  }
  return score;
}

export function printSquad(score: SquadScore, verbose: boolean): void {
  console.log(`squad cases: ${score.passed}/${score.cases}`);
  if (verbose) for (const m of score.misses) console.log(`  ${m}`);
}
