/**
 * Targets over src/oops: the report segmenter and the whole text parse, on real logs
 * mutated and on logs from the grammar.
 */

import { parseText } from "../../../src/oops/parse.js";
import { Segmenter } from "../../../src/oops/segment.js";
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
];
