import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import {
  LineSplitter,
  linesOfStream,
  linesOfString,
  MAX_LINE_CHARS,
  type RawLine,
} from "./line-source.js";

describe("line source", () => {
  it("numbers lines like an editor and drops CR of CRLF", () => {
    const lines = linesOfString("a\r\nb\n\nc");
    assert.deepEqual(
      lines.map((l) => [l.no, l.text]),
      [
        [1, "a"],
        [2, "b"],
        [3, ""],
        [4, "c"],
      ],
    );
  });

  it("ends lines at lone CR runs and at CR CR LF, even when a chunk ends inside the run", () => {
    const text = "BUG: one\r\r#PF: two\rthree\r\r\nfour\r\nfive\r";
    const whole = linesOfString(text).map((l) => l.text);
    assert.deepEqual(whole, ["BUG: one", "#PF: two", "three", "four", "five"]);
    // every possible two-chunk cut gives the same lines
    for (let cut = 1; cut < text.length; cut++) {
      const out: string[] = [];
      const splitter = new LineSplitter();
      splitter.push(text.slice(0, cut), (l) => out.push(l.text));
      splitter.push(text.slice(cut), (l) => out.push(l.text));
      splitter.finish((l) => out.push(l.text));
      assert.deepEqual(out, whole, `cut at ${cut}`);
    }
  });

  it("joins lines split across chunks, including a UTF-8 character cut in two", async () => {
    const bytes = Buffer.from("first\nsecond 日本\nthird\n");
    const cut = bytes.indexOf(Buffer.from("本")) + 1;
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, cut), bytes.subarray(cut)];
    const lines: RawLine[] = [];
    for await (const line of linesOfStream(Readable.from(chunks))) lines.push(line);
    assert.deepEqual(
      lines.map((l) => l.text),
      ["first", "second 日本", "third"],
    );
  });

  it("cuts an over-long line and marks it, keeping the lines after it", () => {
    const out: RawLine[] = [];
    const splitter = new LineSplitter();
    const long = "x".repeat(MAX_LINE_CHARS * 2);
    splitter.push(`${long.slice(0, 70_000)}`, (l) => out.push(l));
    splitter.push(`${long.slice(70_000)}\nnext\n`, (l) => out.push(l));
    splitter.finish((l) => out.push(l));
    assert.equal(out.length, 2);
    assert.equal(out[0]?.text.length, MAX_LINE_CHARS);
    assert.equal(out[0]?.cut, true);
    assert.deepEqual([out[1]?.no, out[1]?.text], [2, "next"]);
  });

  it("decodes invalid UTF-8 without throwing", async () => {
    const lines: RawLine[] = [];
    for await (const line of linesOfStream(Readable.from([Buffer.from([0xff, 0xfe, 0x41, 0x0a])])))
      lines.push(line);
    assert.equal(lines.length, 1);
    assert.ok(lines[0]?.text.endsWith("A"));
  });
});
