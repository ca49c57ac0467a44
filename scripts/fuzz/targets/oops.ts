/**
 * Targets over src/oops: the report segmenter and the whole text parse, on real logs
 * mutated and on logs from the grammar.
 */

import { Readable } from "node:stream";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { diagnose } from "../../../src/diagnose/index.js";
import { parseLines, parseText } from "../../../src/oops/parse.js";
import { memorySource, parseBytesFast } from "../../../src/oops/scan-file.js";
import { Segmenter } from "../../../src/oops/segment.js";
import { linesOfStream } from "../../../src/text/line-source.js";
import { LineNormalizer } from "../../../src/text/normalize.js";
import { defineTarget } from "../target.js";
import { anyLog } from "./text.js";

export const oopsTargets = [
  defineTarget({
    name: "oops-segment",
    about: "Segmenter on normalised lines of mutated and grammar logs",
    arbitrary: anyLog,
    run(log) {
      const segmenter = new Segmenter(() => {});
      const normalizer = new LineNormalizer();
      const push = segmenter.push.bind(segmenter);
      let no = 0;
      for (const text of log.split("\n")) normalizer.push({ no: ++no, text }, push);
      normalizer.finish(push);
      segmenter.finish();
    },
    materialize: (log) => log,
  }),
  defineTarget({
    name: "oops-parse",
    about: "parseText (segments, fields, crash sessions, folding) on whole logs",
    arbitrary: anyLog,
    run(log) {
      parseText(log);
    },
    materialize: (log) => log,
  }),
  defineTarget({
    name: "oops-diagnose",
    about: "every diagnosis rule, the culprit and next steps on the reports of whole logs",
    arbitrary: anyLog,
    async run(log) {
      await diagnose(parseText(log));
    },
    materialize: (log) => log,
  }),
  defineTarget({
    name: "oops-scan-file",
    about: "the fast byte scan of big files against the plain line stream: the same result",
    arbitrary: fc.record({
      log: anyLog,
      // small buffers put read boundaries inside lines, CR runs and multi-byte characters
      scanBytes: fc.integer({ min: 4, max: 4096 }),
      feedBytes: fc.integer({ min: 1, max: 512 }),
    }),
    async run({ log, scanBytes, feedBytes }) {
      const bytes = new TextEncoder().encode(log);
      const fast = await parseBytesFast(memorySource(bytes), { scanBytes, feedBytes });
      const plain = await parseLines(linesOfStream(Readable.from([bytes])));
      if (!isDeepStrictEqual(fast, plain)) {
        throw new Error(`the fast scan differs (scanBytes ${scanBytes}, feedBytes ${feedBytes})`);
      }
    },
    materialize: ({ log }) => log,
  }),
];
