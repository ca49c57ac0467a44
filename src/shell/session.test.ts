/**
 * A session over the committed minimal dump (`nullread-info`: the pages kallsyms, the log and
 * utsname need, nothing else): the commands' crash shapes on what it holds, crash's
 * one-line errors for the pages it does not hold, and the line machinery (pipes,
 * redirections, `!`, comments, `q`), with the session going on after every failure.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { testdata } from "../../test/shared.js";
import { Kernel } from "../kernel/kernel.js";
import { ShellSession } from "./session.js";

const fixture = testdata("dumps", "nullread-info.kdump-zlib");
let kernel: Kernel;
let session: ShellSession;
const dir = mkdtempSync(join(tmpdir(), "crashlens-shell-"));

before(async () => {
  kernel = await Kernel.open(fixture);
  session = new ShellSession(kernel, { files: { dump: "vmcore" } });
});
after(async () => {
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (line: string) => session.run(line);
/** output of a line that must succeed */
async function out(line: string): Promise<string> {
  const r = await run(line);
  assert.equal(r.errors, "", `${line}: ${r.errors}`);
  assert.equal(r.ok, true, line);
  return r.output;
}

describe("sys", () => {
  it("prints crash's block with what the dump gives and says what it does not", async () => {
    const lines = (await out("sys")).split("\n");
    assert.deepEqual(lines.slice(0, 3), [
      "      KERNEL: (none: kallsyms + BTF from the dump)",
      "    DUMPFILE: vmcore  [PARTIAL DUMP]",
      "        CPUS: 2",
    ]);
    assert.deepEqual(lines.slice(7, 10), [
      "    NODENAME: (none)",
      "     RELEASE: 6.1.0-56-cloud-amd64",
      "     VERSION: #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)",
    ]);
    assert.equal(lines[10], "     MACHINE: x86_64  (unknown Mhz)");
    assert.equal(lines[12], '       PANIC: "Kernel panic - not syncing: Fatal exception"');
    // this extract holds neither jiffies nor avenrun nor the task list: no value is made up
    assert.match(lines[4] as string, /^ {6}UPTIME: \(unknown: /);
    assert.match(lines[5] as string, /^LOAD AVERAGE: \(unknown: /);
    assert.match(lines[6] as string, /^ {7}TASKS: \(unknown: /);
    assert.equal(lines.length, 14);
  });
  it("takes TASKS and the rest from a provider when one knows them", async () => {
    const { kallsymsSysFacts } = await import("./sys-facts.js");
    const custom = new ShellSession(kernel, {
      files: { dump: "vmcore", vmlinux: "/boot/vmlinux" },
      sysFacts: {
        ...kallsymsSysFacts,
        tasks: async () => 57,
        uptimeSeconds: async () => 8 * 86400 + 3 * 3600 + 55 * 60 + 27,
        memoryBytes: async () => 261624n * 1024n,
        loadAverage: async () => [0n, 1126n, 2048n],
        onlineCpus: async () => 1,
        tainted: async () => true,
        date: async () => new Date(Date.UTC(2026, 10, 2, 0, 11, 43)),
      },
    });
    const text = (await custom.run("sys")).output;
    assert.match(text, /^ {6}KERNEL: \/boot\/vmlinux {2}\[TAINTED\]$/m);
    assert.match(text, /^ {8}CPUS: 2 \[OFFLINE: 1\]$/m);
    assert.match(text, /^ {8}DATE: Mon Nov {2}2 00:11:43 UTC 2026$/m);
    assert.match(text, /^ {6}UPTIME: 8 days, 03:55:27$/m);
    assert.match(text, /^LOAD AVERAGE: 0\.00, 0\.55, 1\.00$/m);
    assert.match(text, /^ {7}TASKS: 57$/m);
    assert.match(text, /^ {6}MEMORY: 255\.5 MB$/m);
  });
});

describe("rd", () => {
  it("prints 64-bit words two to a line with the ASCII column", async () => {
    assert.equal(
      await out("rd init_uts_ns 3"),
      "ffffffffa33f9b60:  00000078756e694c 0000000000000000   Linux...........\n" +
        "ffffffffa33f9b70:  0000000000000000                    ........\n",
    );
  });
  it("prints 32-, 16- and 8-bit values, decimal, no-ASCII and ASCII strings", async () => {
    assert.equal(
      await out("rd -32 init_uts_ns 5"),
      "ffffffffa33f9b60:  756e694c 00000078 00000000 00000000   Linux...........\n" +
        "ffffffffa33f9b70:  00000000                              ....\n",
    );
    assert.equal(
      await out("rd -16 init_uts_ns 3"),
      `ffffffffa33f9b60:  694c 756e 0078${" ".repeat(5 * 5 + 3)}Linux.\n`,
    );
    assert.equal(
      await out("rd -8 ffffffffa33f9b60 6"),
      `ffffffffa33f9b60:  4c 69 6e 75 78 00${" ".repeat(10 * 3 + 3)}Linux.\n`,
    );
    assert.equal(await out("rd -x init_uts_ns"), "ffffffffa33f9b60:  00000078756e694c \n");
    assert.equal(await out("rd -d -32 init_uts_ns"), "ffffffffa33f9b60:    1970170188 \n");
    assert.equal(await out("rd -a init_uts_ns"), "ffffffffa33f9b60:  Linux\n");
    // utsname.version: the fourth 65-byte field of init_uts_ns.name (at offset 0)
    assert.equal(
      await out("rd -a init_uts_ns+195"),
      "ffffffffa33f9c23:  #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)\n",
    );
    // 60 characters to a line, the next line at its own address; with a count, unprintable
    // bytes are skipped and start a new line
    const two = (await out("rd -a init_uts_ns+130 70")).split("\n");
    assert.deepEqual(two, [
      "ffffffffa33f9be2:  6.1.0-56-cloud-amd64",
      "ffffffffa33f9c23:  #1 SM",
      "",
    ]);
    const long = (await out("rd -a init_uts_ns+195 100")).split("\n");
    assert.equal(
      long[0],
      "ffffffffa33f9c23:  #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)",
    );
  });
  it("takes symbols with offsets, expressions, -o and -R", async () => {
    const expected = "ffffffffa33f9b68:  0000000000000000                    ........\n";
    assert.equal(await out("rd init_uts_ns+8"), expected);
    assert.equal(await out("rd (init_uts_ns + 0x8)"), expected);
    assert.equal(await out("rd -o 8 init_uts_ns"), expected);
    assert.equal(
      await out("rd -R ffffffffa33f9b68 2"),
      "ffffffffa33f9b60:  00000078756e694c 0000000000000000   Linux...........\n",
    );
  });
  it("ends at -e, and writes raw bytes with -r", async () => {
    assert.equal(
      await out("rd -e ffffffffa33f9b70 init_uts_ns"),
      "ffffffffa33f9b60:  00000078756e694c 0000000000000000   Linux...........\n",
    );
    const file = join(dir, "raw.bin");
    assert.equal(
      await out(`rd -r ${file} init_uts_ns 5`),
      `5 bytes copied from 0xffffffffa33f9b60 to ${file}\n`,
    );
    assert.equal(readFileSync(file, "latin1"), "Linux");
    assert.equal((await run(`rd -r ${file} init_uts_ns`)).ok, false, "-r needs a count");
  });
  it("says page excluded for a page the dump does not hold, and the session goes on", async () => {
    const r = await run("rd jiffies");
    assert.equal(r.ok, false);
    assert.equal(r.output, "");
    assert.equal(
      r.errors,
      'rd: page excluded: kernel virtual address: ffffffffa32079c0  type: "64-bit KVADDR"\n',
    );
    assert.equal(
      await out("rd -32 init_uts_ns 1"),
      `ffffffffa33f9b60:  756e694c${" ".repeat(3 * 9 + 3)}Linu\n`,
    );
  });
  it("prints the lines read before the missing page, then names the first missing address", async () => {
    // init_uts_ns's page is the last one the extract holds in that region
    const r = await run("rd ffffffffa33f9fe0 8");
    assert.equal(r.ok, false);
    assert.equal(r.output.split("\n").length, 3);
    assert.match(r.output, /^ffffffffa33f9fe0: {2}/);
    assert.match(r.output, /\nffffffffa33f9ff0: {2}/);
    assert.equal(
      r.errors,
      'rd: page excluded: kernel virtual address: ffffffffa33fa000  type: "64-bit KVADDR"\n',
    );
  });
  it("refuses user addresses and unknown options in crash's words", async () => {
    const u = await run("rd -u 1000");
    assert.equal(u.ok, false);
    assert.match(u.errors, /^rd: -u: user virtual addresses are not supported/);
    const z = await run("rd -z init_uts_ns");
    assert.equal(
      z.errors,
      "rd: invalid option -- 'z'\nUsage:\n  rd " +
        (session.command("rd")?.usage ?? "") +
        '\nEnter "help rd" for details.\n',
    );
    const none = await run("rd nosuch_symbol_here");
    assert.equal(
      none.errors,
      "symbol not found: nosuch_symbol_here\npossible alternatives:\n  (none found)\n",
    );
  });
});

describe("sym", () => {
  it("translates both ways in crash's shape", async () => {
    assert.equal(await out("sym init_uts_ns"), "ffffffffa33f9b60 (D) init_uts_ns\n");
    assert.equal(await out("sym ffffffffa33f9b64"), "ffffffffa33f9b64 (D) init_uts_ns+4\n");
    assert.equal(await out("sym panic"), "ffffffffa21ccf31 (T) panic\n");
    assert.equal(await out("sym ffffffffa21cd0a8"), "ffffffffa21cd0a8 (T) panic+375\n");
  });
  it("searches, lists and steps", async () => {
    assert.equal(
      await out("sym -q uts_ns"),
      [
        "ffffffffa197f800 (T) free_uts_ns",
        "ffffffffa2bb0060 (d) uts_ns_cache",
        "ffffffffa2bf8654 (r) __ksymtab_init_uts_ns",
        "ffffffffa33f9b60 (D) init_uts_ns",
        "ffffffffa387c75c (T) uts_ns_init",
        "",
      ].join("\n"),
    );
    assert.equal((await out("sym -l")).split("\n").length - 1, 87347);
    assert.equal(await out("sym -n panic"), "ffffffffa21cd225 (t) nmi_panic.cold\n");
  });
  it("lists possible alternatives for a missing name", async () => {
    const r = await run("sym init_ut");
    assert.equal(r.ok, false);
    assert.equal(
      r.errors,
      "symbol not found: init_ut\npossible alternatives:\n" +
        "  ffffffffa2bf8654 (r) __ksymtab_init_uts_ns\n" +
        "  ffffffffa33f9b60 (D) init_uts_ns\n" +
        "  ffffffffa388a97f (T) init_utimes\n",
    );
  });
  it("prints offsets in hex after set radix 16", async () => {
    const hex = new ShellSession(kernel, { files: { dump: "vmcore" } });
    assert.equal((await hex.run("set radix 16")).output, "output radix: 16 (hex)\n");
    assert.equal(
      (await hex.run("sym ffffffffa21cd0a8")).output,
      "ffffffffa21cd0a8 (T) panic+0x177\n",
    );
  });
});

describe("log", () => {
  it("prints the log as crash does (makedumpfile's text)", async () => {
    assert.equal(await out("log"), readFileSync(testdata("dumps", "nullread.dmesg.txt"), "latin1"));
  });
  it("-m adds the level, -t drops the timestamps", async () => {
    const m = (await out("log -m")).split("\n");
    assert.match(m[0] as string, /^<5>\[ {4}0\.000000\] Linux version 6\.1\.0-56/);
    assert.match(m[1] as string, /^<6>\[ {4}0\.000000\] Command line: /);
    const t = (await out("log -t")).split("\n");
    assert.match(t[0] as string, /^Linux version 6\.1\.0-56/);
  });
  it("-T needs a crash time this dump does not record", async () => {
    const r = await run("log -T");
    assert.equal(r.ok, false);
    assert.match(r.errors, /^log: -T: the crash time is unknown/);
  });
});

describe("dis on a page the dump lacks", () => {
  it("names the address as crash does", async () => {
    const r = await run("dis panic");
    assert.equal(r.ok, false);
    assert.equal(
      r.errors,
      'dis: page excluded: kernel virtual address: ffffffffa21ccf31  type: "gdb_readmem_callback"\n',
    );
  });
});

describe("lines", () => {
  it("pipes output through the shell", async () => {
    assert.equal(await out("log | grep -c 'Kernel panic'"), "1\n");
    assert.equal(await out("sym init_uts_ns | tr a-z A-Z"), "FFFFFFFFA33F9B60 (D) INIT_UTS_NS\n");
    assert.equal(await out("eval (1 | 2) | head -1"), "hexadecimal: 3  \n");
  });
  it("redirects to a file, truncating or appending", async () => {
    const file = join(dir, "out.txt");
    assert.equal(await out(`sym init_uts_ns > ${file}`), "");
    assert.equal(await out(`sym panic >> ${file}`), "");
    assert.equal(
      readFileSync(file, "utf8"),
      "ffffffffa33f9b60 (D) init_uts_ns\nffffffffa21ccf31 (T) panic\n",
    );
    await out(`sym panic > ${file}`);
    assert.equal(readFileSync(file, "utf8"), "ffffffffa21ccf31 (T) panic\n");
  });
  it("runs !commands and skips comments and blank lines", async () => {
    assert.equal(await out("!echo hello"), "hello\n");
    assert.equal((await run("!exit 3")).ok, false);
    for (const line of ["", "   ", "# sys"])
      assert.deepEqual(await run(line), { ok: true, quit: false, output: "", errors: "" });
  });
  it("sets scroll and radix, and shows them", async () => {
    const own = new ShellSession(kernel, { files: { dump: "vmcore" } });
    assert.equal((await own.run("set scroll off")).output, "scroll: off\n");
    assert.equal(own.settings.scroll, false);
    assert.equal((await own.run("set scroll on")).output, "scroll: on\n");
    assert.equal((await own.run("set -v")).output, "scroll: on\noutput radix: 10 (decimal)\n");
    assert.equal((await own.run("set scroll maybe")).ok, false);
    assert.equal((await own.run("set 102")).ok, false, "task contexts are not there yet");
  });
  it("quits on q, quit and exit", async () => {
    for (const line of ["q", "quit", "exit"]) assert.equal((await run(line)).quit, true);
    assert.equal((await run("q now")).quit, false);
  });
  it("reports unknown commands and never throws", async () => {
    assert.deepEqual(await run("nosuch 1 2"), {
      ok: false,
      quit: false,
      output: "",
      errors: "crashlens: command not found: nosuch\n",
    });
    for (const line of [
      "rd ((",
      "eval",
      "eval 1 +",
      "dis",
      "sym",
      "rd init_uts_ns 0",
      "set radix 8",
      "log | ",
    ]) {
      const r = await run(line);
      assert.equal(r.ok, false, line);
      assert.notEqual(r.errors, "", line);
    }
    assert.equal(
      (await run("eval init_uts_ns + 4")).output.split("\n")[0],
      "hexadecimal: ffffffffa33f9b64  ",
    );
  });
  it("lists the commands and prints a command's page", async () => {
    const list = await out("help");
    const [table, footer] = list.split("\n\n");
    const rows = (table as string).split("\n");
    // crash's layout: five columns of 15, names sorted down the columns
    const names = session.commands.map((c) => c.name).sort();
    assert.equal(rows.length, Math.ceil(names.length / 5));
    assert.equal((rows[0] as string).slice(0, 15), (names[0] as string).padEnd(15));
    assert.equal((rows[1] as string).slice(0, 15).trimEnd(), names[1]);
    assert.equal((rows[0] as string).slice(15, 30).trimEnd(), names[rows.length]);
    assert.match(footer as string, /this is not crash/);
    const page = await out("help rd");
    assert.match(page, /^NAME\n {2}rd - read memory\n\nSYNOPSIS\n {2}rd \[-adDsSpxNR\]/);
    assert.match(page, /\n {6}-x {2}no ASCII column\n/);
    assert.match(page, /\n {5}-16 {2}16-bit values\n/);
    assert.equal((await run("help nosuch")).ok, false);
  });
});
