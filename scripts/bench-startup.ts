/**
 * The "startup" section of `npm run bench` (also alone: `npm run bench -- --only startup`):
 * the wall time of `crashlens analyze` on one short log, whole process including Node's own
 * start, on each seed case and the bundled example, beside `node -e 0` on the same machine.
 * The goal is 150 ms (median) for a single log whose Code: line is decoded.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const GOAL_MS = 150;

/** Median wall time of `runs` runs, in milliseconds (after two warm-up runs). */
function wallMs(argv: string[], runs: number, env: NodeJS.ProcessEnv): number {
  const samples: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0] as string, argv.slice(1), {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (r.status !== 0) throw new Error(`${argv.join(" ")}: exit ${r.status}: ${r.stderr}`);
    if (i >= 2) samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

export function benchStartup(runs: number, env: NodeJS.ProcessEnv): void {
  const logs = [
    ...readdirSync("testdata/seeds")
      .filter((f) => f.endsWith(".txt"))
      .sort()
      .map((f) => join("testdata/seeds", f)),
    "examples/linux-5.7-xfs-null-deref-postgres.log",
  ];
  const rows: Array<[string, number]> = [
    ["node -e 0", wallMs([process.execPath, "-e", "0"], runs, env)],
    ...logs.map((log): [string, number] => [
      `crashlens analyze ${log}`,
      wallMs([process.execPath, "bin/crashlens.js", "analyze", log], runs, env),
    ]),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`startup: whole-process medians of ${runs} runs (goal ≤ ${GOAL_MS} ms)`);
  for (const [name, ms] of rows) {
    const over = name.startsWith("crashlens") && ms > GOAL_MS ? `  over the goal` : "";
    console.log(`  ${name.padEnd(width)}  ${ms.toFixed(0).padStart(4)} ms${over}`);
  }
}
