/**
 * `crashlens analyze`'s output on every committed real input (issue 8 §6): the real-world
 * pastes (testdata/realworld), the seed write-ups, the bundled example and the lab console
 * logs, run in process as a user runs them. The default output of an input fits a screen
 * (≤ 25 lines, whatever the number of reports); no output repeats a line (the default as a
 * whole, the write-up and Markdown within each report), prints a section heading without a
 * body, or passes a control character from the log to the terminal; and none shows an
 * unknown value as "undefined".
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cli } from "../../test/cli.js";
import { dataFile } from "../../test/inputs.js";
import { repoRoot, testdata } from "../../test/shared.js";

interface Case {
  name: string;
  args: string[];
  stdin?: string;
}

const files = (dir: string, suffix: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => join(dir, f));

const cases: Case[] = [
  ...files(testdata("realworld"), ".txt"),
  ...files(testdata("seeds"), ".txt"),
  ...files(join(repoRoot, "examples"), ".log"),
].map((path) => ({ name: path.slice(repoRoot.length + 1), args: [path] }));
for (const arch of ["x86_64", "arm64"]) {
  for (const path of files(testdata("oops", arch), ".txt")) {
    cases.push({ name: path.slice(repoRoot.length + 1), args: ["-"], stdin: dataFile(path).log });
  }
}

const SCREEN = 25;

/** lines of the text output that are not headings: the input's own line, a report's title… */
const NOT_HEADING =
  /^(?:\S.*: (?:\d+ crash reports?|no crash report found) in \d+ lines|#\d+ |--verbose adds |note: |vmcore: )/;

/** Section headings (unindented lines that are no other kind of line) followed by no body. */
function emptySections(lines: readonly string[], markdown: boolean): string[] {
  const heading = (l: string) =>
    markdown ? l.startsWith("### ") : l.trim() !== "" && !/^\s/.test(l) && !NOT_HEADING.test(l);
  return lines.filter((l, i) => heading(l) && !(lines[i + 1] ?? "").trim());
}

/** Non-blank lines printed more than once (code fences aside). */
function repeated(lines: readonly string[]): string[] {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const l of lines) {
    if (!l.trim() || l === "```") continue;
    if (seen.has(l)) out.add(l);
    seen.add(l);
  }
  return [...out];
}

/** A report's block starts at its title ("#2 …", "**#2 …**" in Markdown). */
function reportBlocks(lines: readonly string[]): string[][] {
  const blocks: string[][] = [[]];
  for (const l of lines) {
    if (/^(?:\*\*)?#\d+ /.test(l)) blocks.push([]);
    blocks[blocks.length - 1]?.push(l);
  }
  return blocks;
}

function checkCommon(name: string, stdout: string, markdown: boolean) {
  assert.doesNotMatch(stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, `${name}: a raw control character`);
  const lines = stdout.trimEnd().split("\n");
  assert.deepEqual(emptySections(lines, markdown), [], `${name}: a heading without a body`);
  return lines;
}

describe("analyze's output on every committed input", () => {
  const counts: number[] = [];
  it(`default: one screen (≤ ${SCREEN} lines), no repeated line, no empty section`, async (t) => {
    assert.ok(cases.length > 100, `${cases.length} inputs`);
    for (const c of cases) {
      const { code, stdout } = await cli(["analyze", ...c.args], { stdin: c.stdin });
      assert.equal(code, 0, c.name);
      const lines = checkCommon(c.name, stdout, false);
      assert.ok(lines.length <= SCREEN, `${c.name}: ${lines.length} lines\n${stdout}`);
      assert.deepEqual(repeated(lines), [], `${c.name}: repeated lines`);
      counts.push(lines.length);
    }
    counts.sort((a, b) => a - b);
    const median = counts[Math.floor(counts.length / 2)];
    t.diagnostic(`${cases.length} inputs: lines max ${counts.at(-1)}, median ${median}`);
  });

  // the renderers print no unknown value; the diagnosis's own sentences are checked here too
  it("no unknown value printed as undefined, NaN or [object Object]", async () => {
    const bad: string[] = [];
    for (const c of cases) {
      const { stdout } = await cli(["analyze", "--verbose", ...c.args], { stdin: c.stdin });
      for (const l of stdout.split("\n"))
        if (
          /(?<![\w/-])undefined(?![\w-]| behaviour| instruction)|\bNaN\b|\[object Object\]/.test(l)
        )
          bad.push(`${c.name}: ${l}`);
    }
    assert.deepEqual(bad, []);
  });

  for (const args of [
    ["--verbose"],
    ["--format", "markdown"],
    ["--format", "markdown", "-v"],
    ["--format", "brief"],
  ]) {
    it(`${args.join(" ")}: no repeated line within a report, no empty section`, async () => {
      for (const c of cases) {
        const { code, stdout } = await cli(["analyze", ...args, ...c.args], { stdin: c.stdin });
        assert.equal(code, 0, c.name);
        const lines = checkCommon(c.name, stdout, args.includes("markdown"));
        for (const block of reportBlocks(lines)) {
          assert.deepEqual(repeated(block), [], `${c.name}: repeated lines in ${block[0]}`);
        }
      }
    });
  }
});
