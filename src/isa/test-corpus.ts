/**
 * @module isa/test-corpus
 * Where the public conformance data lives (`../shared/corpus` beside the repository); tests read
 * it in place and never copy it. Used by tests only.
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const corpusDir = fileURLToPath(new URL("../../../shared/corpus/", import.meta.url));

/** node:test `skip` reason when the corpus is missing (it is always present in CI). */
export const corpusSkip = existsSync(corpusDir) ? false : `no corpus at ${corpusDir}`;
