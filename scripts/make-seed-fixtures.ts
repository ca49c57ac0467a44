/**
 * `tsx scripts/make-seed-fixtures.ts`: writes testdata/seeds/NNN.txt from the five seed
 * write-ups in ../shared/seeds, so the tests that read them run on a clone alone.
 *
 * The log lines, crash sessions, listings and code are data and stay verbatim. The authors'
 * prose is not ours to copy: every line that holds non-ASCII text (the write-ups are in
 * Chinese and Japanese) keeps only its ASCII fragments — identifiers, quoted log text,
 * numbers — with "…" where the prose was. One line in, one line out, so line numbers (the
 * evidence crashlens cites) are the same in a fixture and in its original; a conformance test
 * (src/oops/seed-fixtures.conformance.test.ts) parses both and compares the reports.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shared, testdata } from "../test/shared.js";

const NON_ASCII_RUN = /[^\x00-\x7f]+/gu;

/** A prose line reduced to its ASCII fragments; an ASCII line as it is. */
export function redactProse(line: string): string {
  if (!NON_ASCII_RUN.test(line)) return line;
  NON_ASCII_RUN.lastIndex = 0;
  const kept = line.replace(NON_ASCII_RUN, " … ").replace(/(?: … )+/g, " … ");
  const tidy = kept.replace(/ +$/, "").replace(/^ … /, "… ");
  return /[A-Za-z0-9]/.test(tidy) ? tidy : "…";
}

export function seedFixture(text: string): string {
  return text.split("\n").map(redactProse).join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = shared("seeds");
  mkdirSync(testdata("seeds"), { recursive: true });
  for (const file of readdirSync(dir).sort()) {
    const id = file.slice(0, 3);
    const out = testdata("seeds", `${id}.txt`);
    writeFileSync(out, seedFixture(readFileSync(join(dir, file), "utf8")));
    console.log(`${file} → ${out}`);
  }
}
