#!/usr/bin/env node
// Runs the tests with node:test through tsx.
//   node scripts/test.mjs [NAME...]                 every *.test.ts but the conformance ones:
//                                                   needs nothing but the clone
//   node scripts/test.mjs --conformance [NAME...]   every *.conformance.test.ts: reads ../shared
//                                                   (corpora, lab dumps) and runs peer tools
// NAME filters files by substring. Node 20's test runner takes explicit file lists (no globs),
// so the files are listed here.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const roots = ["src", "test", "scripts"];
const args = process.argv.slice(2);
const conformance = args.includes("--conformance");
const only = args.filter((a) => a !== "--conformance");
const CONFORMANCE = ".conformance.test.ts";

if (conformance) {
  const shared = resolve(repo, "..", "shared");
  if (!existsSync(join(shared, "lab")) || !existsSync(join(shared, "corpus"))) {
    console.error(
      `test: the conformance tests need the shared artifacts at ${shared} (lab dumps, corpora,\n` +
        "seed write-ups) beside the repository; they are not there, so nothing was run.",
    );
    process.exit(1);
  }
}

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
    else if (name.endsWith(".test.ts") && name.endsWith(CONFORMANCE) === conformance)
      out.push(path);
  }
  return out;
}

let files = roots.flatMap((root) => collect(join(repo, root), [])).sort();
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error("test: no test files found");
  process.exit(1);
}
console.error(`test: ${files.length} files${conformance ? " (conformance)" : ""}`);
// spec for people, TAP to a file for the closing count line that CI reads
const dir = mkdtempSync(join(tmpdir(), "crashlens-test-"));
const tap = join(dir, "report.tap");
// A hang must fail the run, not stall CI: each test has a time limit (async hangs), and the
// whole run one more (a synchronous loop, which no in-process timer can interrupt), after
// which the runner and the per-file processes it started are killed as one process group.
const TEST_TIMEOUT_MS = 120_000;
const RUN_TIMEOUT_MS = (conformance ? 30 : 15) * 60_000;
const child = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tap}`,
    ...files.map((f) => relative(repo, f)),
  ],
  { stdio: "inherit", cwd: repo, detached: true },
);
// its own process group no longer hears the terminal's Ctrl-C: pass signals on
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    process.kill(-child.pid, "SIGKILL");
    process.exit(1);
  });
}
let timedOut = false;
const timer = setTimeout(() => {
  timedOut = true;
  process.kill(-child.pid, "SIGKILL");
}, RUN_TIMEOUT_MS);
const status = await new Promise((resolve) => child.on("exit", (code) => resolve(code)));
clearTimeout(timer);
if (timedOut) console.error(`test: killed after ${RUN_TIMEOUT_MS / 60_000} minutes (a test hangs)`);
const summary = existsSync(tap) ? readFileSync(tap, "utf8") : "";
const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(summary)?.[1] ?? 0);
rmSync(dir, { recursive: true, force: true });
console.log(`${count("pass")} passed, ${count("fail")} failed`);
process.exit(timedOut ? 1 : (status ?? 1));
