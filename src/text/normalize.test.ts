import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KernelLine } from "./kernel-line.js";
import { linesOfString } from "./line-source.js";
import { cleanControl, LineNormalizer, MAX_PARSED_CHARS } from "./normalize.js";

function normalize(text: string): KernelLine[] {
  const out: KernelLine[] = [];
  const normalizer = new LineNormalizer();
  for (const line of linesOfString(text)) normalizer.push(line, (l) => out.push(l));
  normalizer.finish((l) => out.push(l));
  return out;
}

describe("LineNormalizer", () => {
  it("removes ANSI colour, NUL bytes and carriage-return overwrites", () => {
    assert.equal(cleanControl("\x1b[31m[  1.0] BUG:\x1b[0m x\x00"), "[  1.0] BUG: x");
    assert.equal(cleanControl("progress 10%\rRIP: 0010:foo+0x1/0x2"), "RIP: 0010:foo+0x1/0x2");
  });

  it("skips blank lines but keeps the input's line numbers", () => {
    const lines = normalize("[ 1.0] a\n\n[ 1.1] b\n\n");
    assert.deepEqual(
      lines.map((l) => [l.no, l.text]),
      [
        [1, "a"],
        [3, "b"],
      ],
    );
  });

  it("drops exact repeats with the same timestamp, keeps distinct lines", () => {
    const lines = normalize("[ 1.0] same\n[ 1.0] same\n[ 1.1] same\n");
    assert.deepEqual(
      lines.map((l) => l.no),
      [1, 3],
    );
  });

  it("undoubles an untimestamped log read twice over, keeping legitimately repeated frames", () => {
    const once = ["BUG: kernel NULL pointer dereference", "RIP: 0010:f+0x5/0x20", "Call Trace:"];
    const recursion = [" ? g+0x1/0x9", " ? g+0x1/0x9", " h+0x2/0x8"];
    // in a single log, repeated frames (recursion) stay
    assert.deepEqual(
      normalize([...once, ...recursion].join("\n")).map((l) => l.text),
      [...once, ...recursion],
    );
    // a doubled log gives back each line once, frames included
    const doubled = [...once, ...recursion].flatMap((l) => [l, l]).join("\n");
    assert.deepEqual(
      normalize(doubled).map((l) => l.text),
      [...once, ...recursion],
    );
  });

  it("drops syslog's repeat notices", () => {
    assert.equal(normalize("May 23 18:36:31 h kernel: last message repeated 3 times").length, 0);
  });

  it("reads journalctl -o json lines and keeps only the message", () => {
    const entry = JSON.stringify({
      MESSAGE: "BUG: kernel NULL pointer dereference, address: 0000000000000140",
      _TRANSPORT: "kernel",
      PRIORITY: "1",
      _HOSTNAME: "db7",
      _SOURCE_MONOTONIC_TIMESTAMP: "2548749",
    });
    const [line] = normalize(entry);
    assert.equal(line?.text, "BUG: kernel NULL pointer dereference, address: 0000000000000140");
    assert.equal(line?.origin, "kernel");
    assert.equal(line?.host, "db7");
    assert.equal(line?.level, 1);
    assert.equal(line?.time, 2.548749);
  });

  it("reads a json entry longer than the parse limit, and a message ending in CR", () => {
    const entry = JSON.stringify({
      _CMDLINE: "x".repeat(2 * MAX_PARSED_CHARS),
      _TRANSPORT: "kernel",
      MESSAGE: "BUG: kernel NULL pointer dereference, address: 0000000000000140\r",
    });
    const [line] = normalize(entry);
    assert.equal(line?.text, "BUG: kernel NULL pointer dereference, address: 0000000000000140");
    assert.equal(line?.cut, undefined);
  });

  it("decodes byte-array messages of journalctl -o json", () => {
    const entry = JSON.stringify({
      MESSAGE: [...Buffer.from("Call Trace:")],
      _TRANSPORT: "kernel",
    });
    assert.equal(normalize(entry)[0]?.text, "Call Trace:");
  });

  it("reads journalctl -o export entries, whatever order their fields come in", () => {
    const text = [
      "__CURSOR=s=1",
      "MESSAGE=RIP: 0010:foo+0x1/0x2",
      "_TRANSPORT=kernel",
      "",
      "__CURSOR=s=2",
      "_TRANSPORT=syslog",
      "MESSAGE=sshd says hi",
      "",
    ].join("\n");
    const lines = normalize(text);
    assert.deepEqual(
      lines.map((l) => [l.no, l.text, l.origin]),
      [
        [2, "RIP: 0010:foo+0x1/0x2", "kernel"],
        [7, "sshd says hi", "foreign"],
      ],
    );
  });
});
