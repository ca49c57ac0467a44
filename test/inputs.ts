/**
 * @module test/inputs
 * Real inputs for tests by short name: the seed write-ups (testdata/seeds: their logs and
 * crash sessions verbatim, the authors' prose reduced to its technical fragments, line for
 * line — see scripts/make-seed-fixtures.ts) and the lab console logs (testdata/oops).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { testdata } from "./shared.js";

const cache = new Map<string, string>();

/** A test data file: header lines ("KEY: value"), a blank line, then the log as captured. */
export function dataFile(path: string): { headers: Array<[string, string]>; log: string } {
  const text = readFileSync(path, "utf8");
  const split = text.indexOf("\n\n");
  const headers = text
    .slice(0, split)
    .split("\n")
    .map((line): [string, string] => {
      const at = line.indexOf(": ");
      return [line.slice(0, at), line.slice(at + 2)];
    });
  return { headers, log: text.slice(split + 2) };
}

/** "seed:002" → the seed write-up, "lab:nullread" → the lab console log,
 * "realworld:423" → testdata/realworld/423-….txt */
export function input(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const [kind, id] = name.split(":") as [string, string];
  let text: string;
  if (kind === "seed") {
    text = readFileSync(testdata("seeds", `${id}.txt`), "utf8");
  } else if (kind === "realworld") {
    const dir = testdata("realworld");
    const file = readdirSync(dir).find((f) => f.startsWith(`${id}-`) && f.endsWith(".txt"));
    if (!file) throw new Error(`no real-world case ${id} in ${dir}`);
    text = readFileSync(join(dir, file), "utf8");
  } else if (kind === "lab") {
    text = dataFile(testdata("oops", "x86_64", `lab-${id}.txt`)).log;
  } else {
    throw new Error(`unknown input ${name}`);
  }
  cache.set(name, text);
  return text;
}
