/**
 * Targets over src/text: line splitting (strings in chunks, bytes with broken UTF-8),
 * printk/syslog prefixes, normalisation of whole logs, and journald's two formats.
 */
import fc from "fast-check";
import { JournalExportReader, parseJournalJson } from "../../../src/text/journal.js";
import { LineSplitter, linesOfStream, type RawLine } from "../../../src/text/line-source.js";
import { LineNormalizer } from "../../../src/text/normalize.js";
import { stripPrefixes } from "../../../src/text/prefixes.js";
import { textSeeds } from "../corpus.js";
import { grammarLog, logLine } from "../log-grammar.js";
import { applyByteOps, byteOps } from "../mutate-bytes.js";
import { applyTextOps, textMutation } from "../mutate-text.js";
import { defineTarget } from "../target.js";

const seeds = textSeeds();
const encoder = new TextEncoder();

/** A log: a real one mutated, or one from the grammar. */
export const anyLog: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: textMutation(seeds.length).map((m) =>
      applyTextOps(seeds[m.seed]?.text ?? "", m.ops, m.br),
    ),
  },
  { weight: 2, arbitrary: grammarLog },
);

/** Chunk sizes a stream might deliver (1 byte splits CRLF and UTF-8 sequences). */
const chunkSizes = fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 1, maxLength: 8 });

function* chunks<T extends { length: number; slice(a: number, b: number): T }>(
  whole: T,
  sizes: readonly number[],
): Generator<T> {
  let at = 0;
  for (let i = 0; at < whole.length; i++) {
    const size = sizes[i % sizes.length] as number;
    yield whole.slice(at, at + size);
    at += size;
  }
}

async function* asyncOf<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

export const textTargets = [
  defineTarget({
    name: "text-lines",
    about: "LineSplitter on chunked strings, linesOfStream on chunked bytes with bit flips",
    arbitrary: fc.record({
      log: anyLog,
      sizes: chunkSizes,
      ops: fc.option(byteOps(false), { nil: undefined }),
    }),
    async run({ log, sizes, ops }) {
      const splitter = new LineSplitter();
      const sink = (_line: RawLine) => {};
      for (const piece of chunks(log, sizes)) splitter.push(piece, sink);
      splitter.finish(sink);
      const bytes =
        ops === undefined ? encoder.encode(log) : applyByteOps(encoder.encode(log), ops, []);
      for await (const _line of linesOfStream(asyncOf(chunks(bytes, sizes)))) {
        // reading is the test
      }
    },
    materialize: ({ log }) => log,
  }),
  defineTarget({
    name: "text-prefixes",
    about: "stripPrefixes on grammar lines and cut or spliced real lines",
    arbitrary: fc.oneof(
      logLine,
      fc
        .tuple(fc.nat(), fc.nat({ max: 200 }), fc.string({ unit: "binary", maxLength: 20 }))
        .map(([i, cut, junk]) => {
          const lines = seeds[i % seeds.length]?.text.split("\n") ?? [];
          const line = lines[i % Math.max(1, lines.length)] ?? "";
          return line.slice(0, cut) + junk + line.slice(cut);
        }),
    ),
    run(line) {
      stripPrefixes(line);
    },
    materialize: (line) => line,
  }),
  defineTarget({
    name: "text-normalize",
    about: "LineNormalizer over whole logs (control bytes, repeats, journal lines mixed in)",
    arbitrary: anyLog,
    run(log) {
      const normalizer = new LineNormalizer();
      const sink = () => {};
      let no = 0;
      for (const text of log.split("\n")) normalizer.push({ no: ++no, text }, sink);
      normalizer.finish(sink);
    },
    materialize: (log) => log,
  }),
  defineTarget({
    name: "text-journal",
    about: "parseJournalJson on JSON-ish lines, JournalExportReader on KEY=value runs",
    arbitrary: fc.array(
      fc.oneof(
        logLine,
        fc.json().map((j) => j.replace(/^\{/, '{"MESSAGE":1,')),
        fc
          .dictionary(
            fc.constantFrom(
              "MESSAGE",
              "_TRANSPORT",
              "PRIORITY",
              "_HOSTNAME",
              "__MONOTONIC_TIMESTAMP",
              "_SOURCE_MONOTONIC_TIMESTAMP",
            ),
            fc.anything(),
          )
          .map((o) => JSON.stringify(o)),
        fc.constant(""),
      ),
      { maxLength: 30 },
    ),
    run(lines) {
      const reader = new JournalExportReader();
      const sink = () => {};
      lines.forEach((line, i) => {
        parseJournalJson(line);
        reader.push(i + 1, line, sink);
      });
      reader.flush(sink);
    },
    materialize: (lines) => lines.join("\n"),
  }),
];
