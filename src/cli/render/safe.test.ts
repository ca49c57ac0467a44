/**
 * The terminal's last guard: every character of the shared list (text/unsafe-chars.ts, which
 * the web UI shows as code points) comes out as a visible escape, every other character of
 * the Basic Multilingual Plane as itself; strings nested in a report are escaped alike.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeControls, withSafeText } from "./safe.js";

/** the list, written out by hand: [first, last] code points */
const unsafeRanges: ReadonlyArray<[number, number]> = [
  [0x00, 0x08],
  [0x0b, 0x1f],
  [0x7f, 0x9f],
  [0x061c, 0x061c],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2066, 0x2069],
  [0xfeff, 0xfeff],
];
const isUnsafe = (code: number) => unsafeRanges.some(([from, to]) => code >= from && code <= to);

describe("escapeControls", () => {
  it("escapes exactly the listed characters of the Basic Multilingual Plane", () => {
    const wrong: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      // lone surrogates are not characters
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCharCode(code);
      const escaped = escapeControls(char) !== char;
      if (escaped !== isUnsafe(code)) wrong.push(code.toString(16));
    }
    assert.deepEqual(wrong, []);
  });

  it("writes escapes a reader can look up: \\xNN to U+00FF, \\uNNNN past it", () => {
    assert.equal(escapeControls("a\x1b[31mb\x9b2Jc\tz\n"), "a\\x1b[31mb\\x9b2Jc\tz\n");
    // a right-to-left override and a zero-width space hiding in a process name
    assert.equal(escapeControls("kworker\u202e\u200bgnp"), "kworker\\u202e\\u200bgnp");
    assert.equal(escapeControls("\ufeffmodprobe\u200d"), "\\ufeffmodprobe\\u200d");
  });

  it("escapes every string nested in a report, keeping its shape", () => {
    const report = { title: "BUG in \u202eevil", lines: { start: 3 }, tags: ["a\u200cb", 7, null] };
    assert.deepEqual(withSafeText(report), {
      title: "BUG in \\u202eevil",
      lines: { start: 3 },
      tags: ["a\\u200cb", 7, null],
    });
  });
});
