#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node:test through tsx.
// Node 20's test runner takes explicit file lists (no globs), so we list them here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const roots = ["src", "test", "scripts"];
const only = process.argv.slice(2);

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === "node_modules" || name === "testdata") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

let files = roots.flatMap((root) => collect(root, [])).sort();
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error("test: no test files found");
  process.exit(1);
}
console.error(`test: ${files.length} files`);
// spec for people, TAP to a file for the closing count line that CI reads
const dir = mkdtempSync(join(tmpdir(), "crashlens-test-"));
const tap = join(dir, "report.tap");
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tap}`,
    ...files.map((f) => relative(".", f)),
  ],
  { stdio: "inherit" },
);
const summary = readFileSync(tap, "utf8");
const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(summary)?.[1] ?? 0);
rmSync(dir, { recursive: true, force: true });
console.log(`${count("pass")} passed, ${count("fail")} failed`);
process.exit(result.status ?? 1);
