/**
 * The "scan" section of `npm run bench` (also alone: `npm run bench -- --only scan`): on
 * generated syslogs of 300 MB and 1 GB (scripts/big-log.ts, written to the temp dir and
 * reused), times `crashlens analyze` against `grep -c 'BUG:'` (page cache warm), whole
 * process, median of several runs, with crashlens' peak RSS.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labReports, writeBigLog } from "./big-log.js";

const SIZES_MB = [300, 1000];

function bigLog(mb: number): string {
  const path = join(tmpdir(), `crashlens-bench-syslog-${mb}mb.log`);
  if (!existsSync(path) || statSync(path).size < mb * 1e6) {
    console.error(`bench: writing ${path} …`);
    writeBigLog(path, { bytes: mb * 1e6, reports: labReports() });
  }
  return path;
}

/** Median wall time of `runs` runs, in seconds (after one warm-up run). */
function wall(argv: string[], runs: number, env: NodeJS.ProcessEnv): number {
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const start = process.hrtime.bigint();
    // output to a pipe: GNU grep stops at the first match when stdout is /dev/null
    const r = spawnSync(argv[0] as string, argv.slice(1), {
      env,
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(" ")}: exit ${r.status}`);
    if (i > 0) samples.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

function peakRssMB(argv: string[], env: NodeJS.ProcessEnv): number | undefined {
  if (!existsSync("/usr/bin/time")) return undefined;
  const r = spawnSync("/usr/bin/time", ["-f", "%M", ...argv], { env, encoding: "utf8" });
  const kb = Number(r.stderr.trim().split("\n").pop());
  return Number.isFinite(kb) ? kb / 1024 : undefined;
}

export function benchScan(runs: number, env: NodeJS.ProcessEnv): void {
  const rows = SIZES_MB.map((mb) => {
    const path = bigLog(mb);
    const size = statSync(path).size / 1e6;
    console.error(`bench: scan ${path}`);
    const crashlens = [process.execPath, "bin/crashlens.js", "analyze", path];
    const cl = wall(crashlens, runs, env);
    const grep = wall(["grep", "-c", "BUG:", path], runs, env);
    const rss = peakRssMB(crashlens, env);
    return [
      `${size.toFixed(0)} MB`,
      `${cl.toFixed(2)} s (${(size / cl).toFixed(0)} MB/s)`,
      `${grep.toFixed(2)} s (${(size / grep).toFixed(0)} MB/s)`,
      `${(grep / cl).toFixed(2)}x`,
      rss === undefined ? "-" : `${rss.toFixed(0)} MB`,
    ];
  });
  const header = ["syslog", "crashlens analyze", "grep -c 'BUG:'", "grep/crashlens", "peak RSS"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
  console.log(`scan: whole-process medians of ${runs} runs, page cache warm`);
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(r));
}
