/**
 * `crashlens shell` in batch mode as a user runs it: -c (repeatable, in order), -i FILE and
 * -i -, commands from a non-terminal stdin, no prompts, exit 1 when a line failed and 2 when
 * the dump cannot be read; a vmlinux told from the dump by content. The last test spawns the
 * built binary for what only a real process shows (pipes to /bin/sh, stdin).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { cli } from "../../../test/cli.js";
import { repoRoot, testdata } from "../../../test/shared.js";

const fixture = testdata("dumps", "nullread-info.kdump-zlib");
const dir = mkdtempSync(join(tmpdir(), "crashlens-shell-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SYM = "ffffffffa33f9b60 (D) init_uts_ns\n";
const KB = "hexadecimal: 400  (1KB)\n";

describe("crashlens shell (batch)", () => {
  it("runs each -c in order and prints no prompt", async () => {
    const r = await cli(["shell", fixture, "-c", "sym init_uts_ns", "-c", "eval 1k | head -1"]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${SYM}${KB}`);
  });
  it("exits 1 when a line failed, after running the others, with crash's message on stderr", async () => {
    const r = await cli(["shell", fixture, "-c", "rd jiffies", "-c", "sym init_uts_ns"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, SYM);
    assert.equal(
      r.stderr,
      'rd: page excluded: kernel virtual address: ffffffffa32079c0  type: "64-bit KVADDR"\n',
    );
  });
  it("reads -i FILE, then the -c lines, and stops at q", async () => {
    const input = join(dir, "cmds");
    writeFileSync(input, "# a comment\n\nsym init_uts_ns\n");
    const r = await cli([
      "shell",
      fixture,
      "-i",
      input,
      "-c",
      "eval 1k | head -1",
      "-c",
      "q",
      "-c",
      "rd jiffies",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${SYM}${KB}`);
  });
  it("reads commands from stdin with -i - and when stdin is not a terminal", async () => {
    for (const args of [["-i", "-"], []]) {
      const r = await cli(["shell", fixture, ...args], { stdin: "sym init_uts_ns\r\nq\nsys\n" });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, SYM);
    }
  });
  it("exits 2 with one line for a file that is not a dump or cannot be read", async () => {
    const text = join(dir, "text");
    writeFileSync(text, "not a dump\n");
    for (const file of [text, join(dir, "missing")]) {
      const r = await cli(["shell", file, "-c", "sys"]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.equal(r.stdout, "");
    }
    const r = await cli(["shell", fixture, "-i", join(dir, "missing")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read \(ENOENT\)/);
  });
  it("tells a vmlinux from the dump by its ELF type, in either order", async () => {
    const vmlinux = join(dir, "vmlinux");
    const elf = Buffer.alloc(64);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf[4] = 2; // 64-bit
    elf[5] = 1; // little-endian
    elf.writeUInt16LE(2, 16); // ET_EXEC
    writeFileSync(vmlinux, elf);
    const r = await cli(["shell", vmlinux, fixture, "-c", "sys"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^ {6}KERNEL: ${vmlinux}$`, "m"));
    assert.match(r.stdout, /^ {4}DUMPFILE: .*nullread-info\.kdump-zlib {2}\[PARTIAL DUMP\]$/m);
    assert.match(r.stderr, /vmlinux symbols and types are not read yet/);
    const only = await cli(["shell", vmlinux, "-c", "sys"]);
    assert.equal(only.code, 2);
    assert.match(only.stderr, /no dump given/);
  });
  it("end-to-end: the built binary pipes through /bin/sh and reads stdin", () => {
    const result = spawnSync(
      process.execPath,
      [join(repoRoot, "bin", "crashlens.js"), "shell", fixture],
      {
        input: "log | grep -c 'Kernel panic'\nsym init_uts_ns | wc -l\n",
        encoding: "utf8",
      },
    );
    assert.equal(result.stderr, "");
    assert.equal(result.status, 0);
    assert.equal(result.stdout.replace(/ +/g, ""), "1\n1\n");
  });
});
