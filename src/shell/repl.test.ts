/**
 * The interactive pieces without a terminal: the prompt loop over a stream (prompt, output,
 * `q`), the history file (bounded, and a home that cannot be written), tab completion of
 * commands, symbols and type names, Ctrl-C's cancel dropping a command's further output, and
 * the pager's threshold.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { testdata } from "../../test/shared.js";
import { Kernel } from "../kernel/kernel.js";
import { complete } from "./completer.js";
import { History, maxEntries } from "./history.js";
import { needsPager, pagerCommand } from "./pager.js";
import { runRepl } from "./repl.js";
import { ShellSession } from "./session.js";

let kernel: Kernel;
let session: ShellSession;
const home = mkdtempSync(join(tmpdir(), "crashlens-home-"));
before(async () => {
  kernel = await Kernel.open(testdata("dumps", "nullread-info.kdump-zlib"));
  session = new ShellSession(kernel, { files: { dump: "vmcore" } });
});
after(async () => {
  await kernel.close();
  chmodSync(home, 0o755);
  rmSync(home, { recursive: true, force: true });
});

async function repl(input: string, env: NodeJS.ProcessEnv): Promise<string> {
  const output = new PassThrough();
  let text = "";
  output.on("data", (b: Buffer) => {
    text += b.toString();
  });
  await runRepl({ session, input: Readable.from([input]), output, env, banner: "hello\n" });
  return text;
}

describe("the prompt loop", () => {
  it("prompts, runs lines in order, stops at q and keeps the history", async () => {
    // the whole input arrives (and ends) at once: lines queued before the end still run,
    // without prompts once the input is closed
    const text = await repl("sym init_uts_ns\nnosuch\nq\nsym panic\n", { HOME: home });
    assert.equal(
      text,
      "hello\ncrashlens> ffffffffa33f9b60 (D) init_uts_ns\ncrashlens: command not found: nosuch\n",
    );
    assert.equal(
      readFileSync(join(home, ".crashlens_history"), "utf8"),
      "sym init_uts_ns\nnosuch\nq\n",
    );
  });
  it("runs without a writable home", async () => {
    chmodSync(home, 0o500);
    try {
      const text = await repl("eval 1 | head -1\n", { HOME: join(home, "missing") });
      assert.match(text, /crashlens> hexadecimal: 1 {2}\n/);
    } finally {
      chmodSync(home, 0o755);
    }
  });
});

describe("history", () => {
  it("loads the newest entries first and cuts the file back when it doubles", () => {
    const path = join(home, "h");
    writeFileSync(path, Array.from({ length: 2 * maxEntries }, (_, i) => `cmd ${i}`).join("\n"));
    const history = new History(path);
    assert.equal(history.entries().length, maxEntries);
    assert.equal(history.entries()[0], `cmd ${2 * maxEntries - 1}`);
    history.add("newest");
    history.add("newest"); // a repeat of the last line is not kept twice
    history.add("   ");
    const lines = readFileSync(path, "utf8").trim().split("\n");
    assert.equal(lines.length, maxEntries);
    assert.equal(lines.at(-1), "newest");
  });
});

describe("completion", () => {
  it("completes command names, symbols and type names", async () => {
    assert.deepEqual(await complete(session, "sy"), [["sym", "sys"], "sy"]);
    assert.deepEqual(await complete(session, "rd init_uts"), [["init_uts_ns"], "init_uts"]);
    assert.deepEqual(await complete(session, "rd (init_uts"), [["init_uts_ns"], "init_uts"]);
    // thousands of names start with "s": offer only their common prefix, or a bounded list
    const [many] = await complete(session, "sym s");
    assert.ok(many.length > 0 && many.length <= 200, String(many.length));
    assert.deepEqual(
      await complete(session, "struct task_st", (p) =>
        ["task_struct", "task_struct_x"].filter((n) => n.startsWith(p)),
      ),
      [["task_struct", "task_struct_x"], "task_st"],
    );
    assert.deepEqual(await complete(session, "struct task_st"), [[], "task_st"]);
  });
});

describe("cancel", () => {
  it("drops a command's output after the signal and reports it as not done", async () => {
    const controller = new AbortController();
    let lines = 0;
    const result = await session.run("sym -l", {
      out: {
        write: () => {
          lines++;
          if (lines === 10) controller.abort();
        },
      },
      err: { write: () => assert.fail("no error expected") },
      signal: controller.signal,
    });
    assert.equal(lines, 10);
    assert.equal(result.ok, false);
    // the session goes on
    assert.equal((await session.run("sym panic")).output, "ffffffffa21ccf31 (T) panic\n");
  });
});

describe("pager", () => {
  it("pages only what is longer than the screen, through $PAGER or less -FRX", () => {
    assert.equal(needsPager("a\nb\n", 3), false);
    assert.equal(needsPager("a\nb\nc\n", 3), true);
    assert.equal(needsPager("a\nb\nc\n", undefined), false);
    assert.equal(pagerCommand({}), "less -FRX");
    assert.equal(pagerCommand({ PAGER: "more" }), "more");
  });
});

describe("type completion from BTF", () => {
  it("offers nothing when the dump's BTF cannot be read, and never fails", async () => {
    const { btfTypeCompleter } = await import("./completer.js");
    // the committed extract holds kallsyms but not the BTF section's pages
    assert.deepEqual(await btfTypeCompleter(kernel)("task_st"), []);
  });
});
