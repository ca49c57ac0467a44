/**
 * What a line asks for before any command runs: comments, `!`, pipes and redirections, with
 * `|` and `>` inside quotes or parentheses left to the command.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLine } from "./line.js";

describe("parseLine", () => {
  it("ignores blank lines and comments", () => {
    assert.deepEqual(parseLine(""), { kind: "empty" });
    assert.deepEqual(parseLine("   # a note"), { kind: "empty" });
  });
  it("sends !cmd to the shell", () => {
    assert.deepEqual(parseLine("!ls -l"), { kind: "shell", command: "ls -l" });
    assert.deepEqual(parseLine("!"), { kind: "shell", command: "" });
  });
  it("splits at the first | and gives the rest to the shell whole", () => {
    assert.deepEqual(parseLine("foreach bt | grep -c schedule | sort > out"), {
      kind: "command",
      text: "foreach bt",
      pipe: "grep -c schedule | sort > out",
    });
  });
  it("takes > and >> as redirections", () => {
    assert.deepEqual(parseLine("log > /tmp/log.txt"), {
      kind: "command",
      text: "log",
      redirect: { path: "/tmp/log.txt", append: false },
    });
    assert.deepEqual(parseLine("sys >> out"), {
      kind: "command",
      text: "sys",
      redirect: { path: "out", append: true },
    });
  });
  it("leaves | and > inside parentheses and quotes to the command", () => {
    assert.deepEqual(parseLine("eval (1 | 2) + (8 >> 1)"), {
      kind: "command",
      text: "eval (1 | 2) + (8 >> 1)",
    });
    assert.deepEqual(parseLine(`search -c "a|b>c"`), {
      kind: "command",
      text: `search -c "a|b>c"`,
    });
  });
  it("reads -> as member access, not as a redirect", () => {
    assert.deepEqual(parseLine("p ((struct sock *) 0xffff8801089c8f00)->sk_write_queue"), {
      kind: "command",
      text: "p ((struct sock *) 0xffff8801089c8f00)->sk_write_queue",
    });
    assert.deepEqual(parseLine("p ((struct task_struct *) 0x1)->mm > out"), {
      kind: "command",
      text: "p ((struct task_struct *) 0x1)->mm",
      redirect: { path: "out", append: false },
    });
  });
});
