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

  it("a json PRIORITY that is no string or number is no priority, and does not throw", () => {
    // found by npm run fuzz (text-journal): Number() throws on {"toString": false}
    const [line] = normalize('{"PRIORITY":{"toString":false},"MESSAGE":"Call Trace:"}');
    assert.equal(line?.text, "Call Trace:");
    assert.equal(line?.level, undefined);
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

  it("undoes HTML entities a web page left in the log (212), keeping the raw line as evidence", () => {
    const [line] = normalize(
      "RIP: 0010:[&lt;ffffffffa02660f0&gt;]  [&lt;ffffffffa02660f0&gt;] avl_nearest+0x0/0x40 [zavl]",
    );
    assert.equal(
      line?.text,
      "RIP: 0010:[<ffffffffa02660f0>]  [<ffffffffa02660f0>] avl_nearest+0x0/0x40 [zavl]",
    );
    assert.ok(line?.raw.includes("&lt;"));
  });

  it("drops a console's second copy of a message that only one copy timestamps (136)", () => {
    const lines = normalize(
      "<1>pgd = c0004000\n[ 3125.170000] pgd = c0004000\n<0>Internal error: Oops: 80000007 [#1] PREEMPT\n[ 3125.170000] Internal error: Oops: 80000007 [#1] PREEMPT\n",
    );
    assert.deepEqual(
      lines.map((l) => l.no),
      [1, 3],
    );
  });

  it("drops syslogd's wall message headings, keeping the kernel lines under them (209)", () => {
    const lines = normalize(
      "Message from syslogd@edge-nfs00 at Nov 25 00:26:34 ...\n kernel:Oops: 0002 [#1] SMP \n",
    );
    assert.deepEqual(
      lines.map((l) => [l.no, l.text, l.origin]),
      [[2, "Oops: 0002 [#1] SMP ", "kernel"]],
    );
  });

  it("joins quoted-printable soft breaks and decodes escapes, on the first line's number (104)", () => {
    const lines = normalize(
      [
        "> > > > =C2=A2 1851.721062! Unable to handle kernel pointer dereference in =",
        "virtual kernel address space",
        "> > > > =C2=A2 1851.721075! failing address: 0000000000000000 TEID: 0000000=",
        "000000483",
      ].join("\n"),
    );
    assert.deepEqual(
      lines.map((l) => [l.no, l.text, l.time]),
      [
        [
          1,
          "Unable to handle kernel pointer dereference in virtual kernel address space",
          1851.721062,
        ],
        [3, "failing address: 0000000000000000 TEID: 0000000000000483", 1851.721075],
      ],
    );
  });

  it("once a mail shows quoted-printable, its short lines ending in '=' are soft breaks (119)", () => {
    const lines = normalize(
      [
        "[  526.038726] Modules linked in: usb_f_ecm g_ether usb_f_rndis u_ether =",
        "libcomposite cmac",
        "[  526.381744]  aess_read_mem [snd_soc_omap_aess] from =",
        "aess_read_pmem+0x1c/0x24 [snd_soc_omap_aess]",
        "[  526.027526] [004f62d4] *pgd=3Dbb1f8831",
      ].join("\n"),
    );
    assert.deepEqual(
      lines.map((l) => [l.no, l.text]),
      [
        [1, "Modules linked in: usb_f_ecm g_ether usb_f_rndis u_ether libcomposite cmac"],
        [3, " aess_read_mem [snd_soc_omap_aess] from aess_read_pmem+0x1c/0x24 [snd_soc_omap_aess]"],
        [5, "[004f62d4] *pgd=bb1f8831"],
      ],
    );
  });

  it("a kernel line that ends in '=' in a plain log stays as it is", () => {
    const lines = normalize("[    1.000000] foo: option=\n[    1.000001] next line\n");
    assert.deepEqual(
      lines.map((l) => l.text),
      ["foo: option=", "next line"],
    );
  });

  it("undoes an s390 console's code-page brackets (104)", () => {
    const [line] = normalize(
      "=C2=A2 1851.721279!  =C2=A2<000000000029342a>! unlink_anon_vmas+0x9a/0x1d8",
    );
    assert.equal(line?.text, " [<000000000029342a>] unlink_anon_vmas+0x9a/0x1d8");
    assert.equal(line?.time, 1851.721279);
  });
});
