/**
 * Measures crashlens against public conformance data:
 *   npm run conformance -- ../shared/corpus/syzkaller/linux-report
 *   npm run conformance -- ../shared/corpus/satyr
 *   npm run conformance -- realworld [--verbose]     (testdata/realworld, scripts/realworld.ts)
 * For syzkaller-format files (header lines, blank line, log) it prints the share of titles
 * matching TITLE or an ALT, the share of no-crash files reported as none, agreement on
 * CORRUPTED, and the mismatches. For satyr's directory it checks the frame facts of
 * expectations.json. The data is read in place, never copied into the project.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseText } from "../src/oops/parse.js";
import type { Report } from "../src/oops/report.js";

interface Expected {
  title?: string;
  alts: string[];
  corrupted: boolean;
  log: string;
}

function readSyzkallerFile(text: string): Expected {
  const lines = text.replace(/\r/g, "").split("\n");
  const out: Expected = { alts: [], corrupted: false, log: "" };
  let i = 0;
  for (; i < lines.length && lines[i] !== ""; i++) {
    const m = /^([A-Z]+): ?(.*)$/.exec(lines[i] as string);
    if (!m) continue;
    if (m[1] === "TITLE") out.title = m[2];
    else if (m[1] === "ALT") out.alts.push(m[2] as string);
    else if (m[1] === "CORRUPTED") out.corrupted = m[2] === "Y";
  }
  let log = lines.slice(i + 1);
  const reportAt = log.indexOf("REPORT:");
  if (reportAt > 0 && log[reportAt - 1] === "") log = log.slice(0, reportAt - 1);
  out.log = log.join("\n");
  return out;
}

export function syzkaller(dir: string, print = true): SyzkallerScore {
  const files = readdirSync(dir).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  let crashFiles = 0;
  let titleOk = 0;
  let noCrashFiles = 0;
  let noCrashOk = 0;
  let corruptedOk = 0;
  let judged = 0;
  const mismatches: string[] = [];
  for (const file of files) {
    const expected = readSyzkallerFile(readFileSync(join(dir, file), "utf8"));
    const report: Report | undefined = parseText(expected.log).reports[0];
    if (expected.title === undefined) {
      noCrashFiles++;
      if (!report) noCrashOk++;
      else mismatches.push(`${file}: expected no crash, got "${report.title}"`);
      continue;
    }
    crashFiles++;
    const got = report?.title;
    const ok = got !== undefined && (got === expected.title || expected.alts.includes(got));
    if (ok) titleOk++;
    else mismatches.push(`${file}: expected "${expected.title}", got "${got ?? "(none)"}"`);
    if (report) {
      judged++;
      if (report.corrupted === expected.corrupted) corruptedOk++;
      else
        mismatches.push(
          `${file}: corrupted expected ${expected.corrupted}, got ${report.corrupted} (${report.corruptedReason ?? "-"})`,
        );
    }
  }
  const score = {
    titles: titleOk / Math.max(crashFiles, 1),
    noCrash: noCrashOk / Math.max(noCrashFiles, 1),
    corrupted: corruptedOk / Math.max(judged, 1),
    mismatches,
  };
  if (print) {
    const pct = (a: number, b: number) => `${((100 * a) / Math.max(b, 1)).toFixed(1)}% (${a}/${b})`;
    console.log(`files:              ${files.length}`);
    console.log(`titles:             ${pct(titleOk, crashFiles)}`);
    console.log(`no-crash files:     ${pct(noCrashOk, noCrashFiles)}`);
    console.log(`corrupted agrees:   ${pct(corruptedOk, judged)}`);
    console.log(`mismatches (${mismatches.length}):`);
    for (const m of mismatches) console.log(`  ${m}`);
  }
  return score;
}

export interface SyzkallerScore {
  titles: number;
  noCrash: number;
  corrupted: number;
  mismatches: string[];
}

interface SatyrParse {
  file: string;
  first_function: string;
  last_function: string;
  frame_count: number;
  taint_count: number;
  module_count: number;
}

/** satyr counts the RIP frame as the first frame and every listed frame, "?" ones too. */
function satyrFrames(report: Report): string[] {
  const frames = report.trace.map((f) => f.symbol ?? "");
  return report.ip?.symbol ? [report.ip.symbol, ...frames] : frames;
}

export function satyr(dir: string, print = true): Record<string, number> {
  const expectations = JSON.parse(readFileSync(join(dir, "expectations.json"), "utf8")) as {
    parse: SatyrParse[];
  };
  const checks = ["first", "last", "frames", "taints", "modules"] as const;
  const ok: Record<(typeof checks)[number], number> = {
    first: 0,
    last: 0,
    frames: 0,
    taints: 0,
    modules: 0,
  };
  const mismatches: string[] = [];
  for (const exp of expectations.parse) {
    const path = join(dir, "kerneloopses", exp.file);
    if (!existsSync(path)) continue;
    const report = parseText(readFileSync(path, "utf8")).reports[0];
    const frames = report ? satyrFrames(report) : [];
    const got = {
      first: frames[0],
      last: frames.at(-1),
      frames: frames.length,
      taints: report?.kernel.taints.length ?? 0,
      modules: report?.modules.length ?? 0,
    };
    const want = {
      first: exp.first_function,
      last: exp.last_function,
      frames: exp.frame_count,
      taints: exp.taint_count,
      modules: exp.module_count,
    };
    for (const key of checks) {
      if (got[key] === want[key]) ok[key]++;
      else mismatches.push(`${exp.file}: ${key} expected ${want[key]}, got ${got[key]}`);
    }
  }
  const n = expectations.parse.length;
  if (print) {
    for (const key of checks)
      console.log(`${key.padEnd(8)} ${((100 * ok[key]) / n).toFixed(1)}% (${ok[key]}/${n})`);
    console.log(`mismatches (${mismatches.length}):`);
    for (const m of mismatches) console.log(`  ${m}`);
  }
  return Object.fromEntries(checks.map((key) => [key, ok[key] / n]));
}

async function main(dir: string | undefined, verbose: boolean): Promise<number> {
  if (!dir) {
    console.error(
      "usage: npm run conformance -- DIR | realworld   (a syzkaller report dir, satyr's dir)",
    );
    return 2;
  }
  if (dir === "realworld") {
    const { printRealworld, scoreRealworld } = await import("./realworld.js");
    printRealworld(await scoreRealworld("testdata/realworld"), verbose);
    return 0;
  }
  if (existsSync(join(dir, "expectations.json"))) {
    satyr(dir);
    return 0;
  }
  const score = syzkaller(dir);
  return score.titles >= 0.95 && score.noCrash === 1 ? 0 : 1;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ""))) {
  const args = process.argv.slice(2);
  process.exitCode = await main(
    args.find((a) => !a.startsWith("--")),
    args.includes("--verbose"),
  );
}
