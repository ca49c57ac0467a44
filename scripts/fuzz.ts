/**
 * `npm run fuzz [-- --seconds N] [-- --only TARGET[,TARGET]] [-- --seed S]`: property-based
 * campaigns over every parser that takes outside bytes (targets in scripts/fuzz/targets/).
 * The time is split across the targets by weight; each runs in a child process under a watchdog.
 * Prints inputs tried and failures per target, then a total; exits 1 on any failure.
 */
import { parseArgs } from "node:util";
import { runInChild } from "./fuzz/runner.js";
import { targetNames, targetWeights } from "./fuzz/targets/index.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    only: { type: "string", multiple: true },
    seed: { type: "string" },
    list: { type: "boolean", default: false },
  },
});

const all = Object.keys(targetNames);
if (values.list) {
  for (const name of all) console.log(name);
  process.exit(0);
}
const only = (values.only ?? []).flatMap((o) => o.split(","));
const unknown = only.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`fuzz: unknown target(s) ${unknown.join(", ")}; known: ${all.join(", ")}`);
  process.exit(2);
}
const names = only.length > 0 ? only : all;
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error("fuzz: --seconds takes a positive number");
  process.exit(2);
}
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const weight = (name: string) => targetWeights[name] ?? 1;
const totalWeight = names.reduce((sum, name) => sum + weight(name), 0);

console.log(`fuzz: ${names.length} target(s), ${seconds} s in all, seed ${seed}`);
const started = Date.now();
let inputs = 0;
let failures = 0;
for (const name of names) {
  const budget = Math.max(1000, Math.round((seconds * 1000 * weight(name)) / totalWeight));
  const t0 = Date.now();
  const result = await runInChild(name, seed, budget);
  inputs += result.runs;
  const took = ((Date.now() - t0) / 1000).toFixed(1);
  const rate = Math.round(result.runs / Math.max(0.001, (Date.now() - t0) / 1000));
  if (result.failed) {
    failures++;
    console.log(`✗ ${name}: FAILED after ${result.runs} inputs (${took} s)`);
    console.log(
      `  reproduce: npm run fuzz -- --only ${name} --seed ${seed}   (fast-check path ${result.path ?? "?"})`,
    );
    console.log(`  ${(result.error ?? "").replaceAll("\n", "\n  ")}`);
    for (const file of result.savedTo ?? []) console.log(`  counterexample: ${file}`);
  } else {
    console.log(`✓ ${name}: ${result.runs} inputs, 0 failures (${took} s, ${rate}/s)`);
  }
}
const wall = ((Date.now() - started) / 1000).toFixed(1);
console.log(`fuzz: ${inputs} inputs, ${failures} failing target(s), ${wall} s, seed ${seed}`);
process.exit(failures > 0 ? 1 : 0);
