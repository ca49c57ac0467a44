/**
 * @module store/inputs.case
 * Every committed real input for the store's tests: the lab console logs of both
 * architectures (their header lines left out), the seed cases and the real-world cases, each
 * analysed once by crashlens itself and cached for the test file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dataFile } from "../../test/inputs.js";
import { testdata } from "../../test/shared.js";
import { reportsOfText } from "./ingest.js";
import type { IngestedReport } from "./types.js";

export interface NamedInput {
  /** "lab/x86_64/nullread", "seed/003", "realworld/101-s390x-…" */
  name: string;
  text: string;
}

export function realInputs(): NamedInput[] {
  const out: NamedInput[] = [];
  for (const arch of ["x86_64", "arm64"])
    for (const file of readdirSync(testdata("oops", arch)).sort())
      out.push({
        name: `lab/${arch}/${file.replace(/^lab-|\.txt$/g, "")}`,
        text: dataFile(testdata("oops", arch, file)).log,
      });
  for (const dir of ["seeds", "realworld"])
    for (const file of readdirSync(testdata(dir)).sort())
      if (file.endsWith(".txt"))
        out.push({
          name: `${dir === "seeds" ? "seed" : dir}/${file.replace(/\.txt$/, "")}`,
          text: readFileSync(testdata(dir, file), "utf8"),
        });
  return out;
}

export interface AnalysedInput extends NamedInput {
  reports: IngestedReport[];
}

let analysed: AnalysedInput[] | undefined;

/** Each input with its reports; the host is the input's name, the time one per input and day. */
export async function analysedInputs(): Promise<AnalysedInput[]> {
  if (!analysed) {
    analysed = [];
    const start = Date.parse("2026-11-01T00:00:00Z");
    for (const [i, input] of realInputs().entries()) {
      const receivedAt = new Date(start + i * 3_600_000).toISOString();
      analysed.push({
        ...input,
        reports: await reportsOfText({ text: input.text, host: input.name, receivedAt }),
      });
    }
  }
  return analysed;
}

/** The reports of one input by name prefix ("lab/x86_64/hung", "realworld/101"). */
export function reportsOf(inputs: readonly AnalysedInput[], prefix: string): IngestedReport[] {
  const hit = inputs.filter((i) => i.name.startsWith(prefix));
  if (hit.length !== 1) throw new Error(`${prefix}: ${hit.length} inputs match`);
  return hit[0]?.reports ?? [];
}
