/**
 * The fast file scan (src/oops/scan-file.ts) gives the same ParseResult as streaming every
 * line through the parser, on every file of syzkaller's corpora (read in place from
 * ../shared/corpus), whole files as they are, with read sizes that cut lines anywhere.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseLines } from "../src/oops/parse.js";
import { memorySource, parseBytesFast } from "../src/oops/scan-file.js";
import { linesOfStream } from "../src/text/line-source.js";
import { shared } from "../test/shared.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe("fast scan equivalence", () => {
  it("equals the plain line stream on every syzkaller corpus file", async () => {
    const all = files(shared("corpus", "syzkaller"));
    assert.ok(all.length > 300, `${all.length} files`);
    for (const file of all) {
      const bytes = readFileSync(file);
      async function* pieces() {
        yield bytes;
      }
      const expected = await parseLines(linesOfStream(pieces()));
      for (const options of [{ scanBytes: 257, feedBytes: 13 }, {}]) {
        const fast = await parseBytesFast(memorySource(bytes), options);
        assert.deepEqual(fast, expected, `${file} ${JSON.stringify(options)}`);
      }
    }
  });
});
