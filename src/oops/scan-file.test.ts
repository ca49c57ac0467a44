import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { bigLogChunks, labReports } from "../../scripts/big-log.js";
import { testdata } from "../../test/shared.js";
import { linesOfStream } from "../text/line-source.js";
import { type ParseResult, parseLines, parseText } from "./parse.js";
import { type ByteSource, memorySource, parseBytesFast, type ScanOptions } from "./scan-file.js";

/** The plain path: every line streamed through the parser, read in `chunk`-byte pieces. */
async function plain(bytes: Uint8Array, chunk = 65536): Promise<ParseResult> {
  async function* pieces() {
    for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
  }
  return parseLines(linesOfStream(pieces()));
}

function textFixtures(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return textFixtures(path);
    return name.endsWith(".txt") ? [path] : [];
  });
}

/** Small buffers put read boundaries inside lines, CR runs and multi-byte characters. */
const SIZES: ScanOptions[] = [
  { scanBytes: 61, feedBytes: 7 },
  { scanBytes: 509, feedBytes: 1 },
  { scanBytes: 4099, feedBytes: 130 },
  {},
];

async function assertSame(bytes: Uint8Array, sizes = SIZES): Promise<void> {
  const expected = await plain(bytes);
  for (const options of sizes) {
    assert.deepEqual(
      await parseBytesFast(memorySource(bytes), options),
      expected,
      JSON.stringify(options),
    );
  }
}

const lab = labReports(["nullread", "warn", "hung"]);
const encode = (text: string) => new TextEncoder().encode(text);

/** Inputs that stress what the fast path must get right, around real reports. */
const AWKWARD: Record<string, Uint8Array> = {
  "BOM, CR-only lines, CR runs and CRLF": encode(
    `\ufeffMay  1 00:00:00 h kernel: hello\r\r\r\rquiet\r\n\r\n\r\r\nline\n${lab[0]?.replace(/\n/g, "\r\n")}\rend\r`,
  ),
  "a header split by a control byte and by an escape": encode(
    `quiet\nBU\x01G: unable to handle kernel NULL pointer dereference at 0000000000000000\n${"noise line\n".repeat(40)}\x1b[1mWARN\x1b[0mING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x1/0x2\n${lab[1]}`,
  ),
  "repeats and blank lines before a header": encode(
    `${"same line\n".repeat(30)}\n\n  \n${"[  1.000000] dup\n".repeat(12)}${"other\nother\n".repeat(9)}${lab[0]}${"tail\n".repeat(3000)}`,
  ),
  "journal export and json around a report": encode(
    `noise\n__CURSOR=s=1\n_TRANSPORT=kernel\nMESSAGE=BUG: soft lockup - CPU#0 stuck for 22s! [a:1]\n\n${'{"MESSAGE":"\\u0042UG: kernel NULL pointer dereference, address: 0000000000000000","_TRANSPORT":"kernel"}\n'}${"quiet\n".repeat(50)}${lab[2]}`,
  ),
  "crash session shapes on plain lines": encode(
    `${"x\n".repeat(40)}      KERNEL: vmlinux\n${"y\n".repeat(40)}PID: 1  TASK: ffff  CPU: 0   COMMAND: "a"\n #0 [ffff] f at ffff\n${"z\n".repeat(20)}0xffffffff81000000 <f+1>:\tmov %rax,%rbx\n/usr/src/linux-1/kernel/x.c: 12\nstruct foo {\n  a = 0x0,\n}\n$1 = 0x5\ncrash> log\n${lab[0]}\u00a0DATE: x\n`,
  ),
  "pasted shapes: titles, prompts, tags, wall messages, entities, lone kill lines": encode(
    [
      "# BUG: unable to handle kernel NULL pointer dereference in foo after upgrade",
      ..."prose line\n".repeat(30).split("\n"),
      `user@host ~ $ ${lab[0]
        ?.split("\n")
        .map((l) => `[guest0/uart0] ${l}`)
        .join("\n")}`,
      ..."quiet\n".repeat(40).split("\n"),
      "Message from syslogd@db7 at Nov 21 09:12:01 ...",
      " kernel:Oops: 0002 [#1] SMP ",
      "",
      "Message from syslogd@db7 at Nov 21 09:12:01 ...",
      " kernel:CR2: 0000000000000000",
      ..."quiet\n".repeat(40).split("\n"),
      "RIP: 0010:[&lt;ffffffffa02660f0&gt;]  [&lt;ffffffffa02660f0&gt;] avl_nearest+0x0/0x40",
      "[   12.000000] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=a,pid=1,uid=0",
      "[   12.000001] Out of memory: Killed process 1 (a) total-vm:1kB",
      ..."quiet\n".repeat(40).split("\n"),
      "rcu: INFO: rcu_sched detected expedited stalls on CPUs/tasks: { 2-.... } 21 jiffies",
      "rcu: blocking rcu_node structures (internal RCU debug): l=1:0-15:0x4/.",
      ...`${lab[1]}`.split("\n").map((l) => `**${l}**`),
      "    INFO: task <comm>:<pid> blocked for more than <N> seconds.",
      "    Call Trace:",
      "     <TASK>",
    ].join("\n"),
  ),
  "a quoted-printable mail: soft breaks, one inside a header": encode(
    [
      ..."quiet\n".repeat(60).split("\n"),
      "> > > > =C2=A2 1851.721062! Unable to han=",
      "dle kernel pointer dereference in virtual kernel address space",
      ..."quiet\n".repeat(60).split("\n"),
      "[  526.381744]  aess_read_mem [snd_soc_omap_aess] from =",
      "aess_read_pmem+0x1c/0x24 [snd_soc_omap_aess]",
      ..."quiet=\nquiet\n".repeat(30).split("\n"),
      `${lab[0]}`,
      "last line=",
    ].join("\n"),
  ),
  "multi-byte text and over-long lines": encode(
    `${"ünïcödé — 日本語 🚀\n".repeat(200)}${"x".repeat(5000)}\n${"é".repeat(70000)}\n${lab[1]}${"y".repeat(200000)}`,
  ),
};

describe("fast file scan (parseBytesFast) equals the plain line stream", () => {
  it("on every text fixture under testdata/", async () => {
    const files = textFixtures(testdata());
    assert.ok(files.length >= 20, `${files.length} fixtures`);
    for (const file of files) await assertSame(readFileSync(file));
  });

  for (const [name, bytes] of Object.entries(AWKWARD)) {
    it(`on ${name}`, () => assertSame(bytes));
  }

  it("on a generated syslog with reports, non-ASCII noise and CRLF lines", async () => {
    const text = [...bigLogChunks({ bytes: 400_000, reports: lab, awkward: true, seed: 3 })].join(
      "",
    );
    await assertSame(encode(text));
  });

  it("puts reports deep in a big input on their lines", async () => {
    const facts = { bytes: 0, lines: 0, reportStarts: [] as number[] };
    const text = [...bigLogChunks({ bytes: 6_000_000, reports: lab }, facts)].join("");
    const bytes = encode(text);
    const fast = await parseBytesFast(memorySource(bytes));
    // each inserted log parsed alone, its header lines moved to where the log was put
    const expected = lab.flatMap((log, i) =>
      parseText(log).reports.map((r) => r.header.line + (facts.reportStarts[i] as number) - 1),
    );
    assert.ok((expected.at(-1) as number) > 30_000, "reports deep in the input");
    assert.equal(fast.lineCount, facts.lines);
    assert.deepEqual(
      fast.reports.map((r) => r.header.line),
      expected,
    );
    assert.deepEqual(fast, await plain(bytes));
  });

  it("ends where the bytes end when the input is shorter than its size said (truncated while read)", async () => {
    const text = [...bigLogChunks({ bytes: 200_000, reports: lab, seed: 5 })].join("");
    const bytes = encode(text);
    // a file cut by logrotate's copytruncate after stat(): reads come back short, then empty
    const shrunk: ByteSource = {
      size: bytes.length + 100_000,
      read: memorySource(bytes).read,
    };
    for (const options of SIZES) {
      assert.deepEqual(await parseBytesFast(shrunk, options), await plain(bytes));
    }
  });
});
