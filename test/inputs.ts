/**
 * @module test/inputs
 * Real inputs for tests by short name: the seed write-ups (read in place from ../shared)
 * and the lab console logs (testdata/lab).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { shared, testdata } from "./shared.js";

const cache = new Map<string, string>();

/** "seed:002" → the seed write-up, "lab:nullread" → the lab console log */
export function input(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const [kind, id] = name.split(":") as [string, string];
  let text: string;
  if (kind === "seed") {
    const dir = shared("seeds");
    const file = readdirSync(dir).find((f) => f.startsWith(`${id}_`));
    if (!file) throw new Error(`no seed ${id} in ${dir}`);
    text = readFileSync(join(dir, file), "utf8");
  } else if (kind === "lab") {
    text = readFileSync(testdata("lab", `${id}.log`), "utf8");
  } else {
    throw new Error(`unknown input ${name}`);
  }
  cache.set(name, text);
  return text;
}
