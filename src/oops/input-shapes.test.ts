/**
 * One real report in every shape it reaches an engineer in: the same facts must come out of
 * each. The report is the lab's nullread console capture; the shapes are what dmesg,
 * syslog, journald, vmcore-dmesg, serial consoles, crash and ticket pastes make of it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../test/inputs.js";
import { analyzeText } from "../analyze.js";
import type { Report } from "./report.js";

const console = input("lab:nullread").replace(/\r/g, "").split("\n");
// from a few lines before the oops to the end of the panic
const start = console.findIndex((l) => l.includes("buggy: trigger nullread"));
const crash = console.slice(start).filter((l) => l !== "" && !l.startsWith("LAB:"));
const message = (line: string) => line.replace(/^\[\s*\d+\.\d+\] /, "");
const stamp = (line: string) => /^\[\s*\d+\.\d+\]/.exec(line)?.[0] ?? "";

const shapes: Record<string, string> = {
  "console capture with CRLF": crash.map((l) => `${l}\r`).join("\n"),
  "dmesg with caller ids": crash
    .map((l) => l.replace(/^(\[\s*\d+\.\d+\])/, "$1[  T102]"))
    .join("\n"),
  "syslog with printk timestamps": crash.map((l) => `Nov 21 09:12:01 db7 kernel: ${l}`).join("\n"),
  "journalctl short": crash.map((l) => `Nov 21 09:12:01 db7 kernel: ${message(l)}`).join("\n"),
  "journalctl -o short-iso": crash
    .map((l) => `2026-11-21T09:12:01+0000 db7 kernel: ${message(l)}`)
    .join("\n"),
  "journalctl -o json": crash
    .map((l) =>
      JSON.stringify({
        MESSAGE: message(l),
        _TRANSPORT: "kernel",
        PRIORITY: "4",
        _HOSTNAME: "db7",
      }),
    )
    .join("\n"),
  "journalctl -o export": crash
    .map((l, i) => `__CURSOR=s=${i}\n_TRANSPORT=kernel\nMESSAGE=${message(l)}\n`)
    .join("\n"),
  "vmcore-dmesg.txt with levels": crash.map((l) => `<4>${l}`).join("\n"),
  "old vmcore-dmesg without timestamps": crash.map((l) => `<4>${message(l)}`).join("\n"),
  "dmesg -T": crash.map((l) => `[Sat Nov 21 09:12:01 2026] ${message(l)}`).join("\n"),
  "serial console with colour codes": crash
    .map((l) => `\x1b[0;32m${stamp(l)}\x1b[0m ${message(l)}\r`)
    .join("\n"),
  "copy with blank lines between lines": crash.join("\n\n"),
  "every line logged twice": crash.flatMap((l) => [l, l]).join("\n"),
  "untimestamped console logged twice": crash
    .map(message)
    .flatMap((l) => [l, l])
    .join("\n"),
  "CR-only line endings": crash.join("\r"),
  "serial console with CR CR LF": crash.map((l) => `${l}\r\r`).join("\n"),
  "pasted into a ticket": [
    "Hi team, db7 went down tonight. dmesg says:",
    "",
    "```",
    ...crash,
    "```",
    "",
    "Any idea? We hit BUG: kernel NULL pointer dereference before, on another host.",
  ].join("\n"),
  "quoted in a mail reply": crash.map((l) => `> ${l}`).join("\n"),
  "indented in a wiki page": crash.map((l) => `    ${l}`).join("\n"),
  "crash log command output": ["crash> log | tail -80", ...crash, "crash> "].join("\n"),
  // transport prefixes in front of the printk timestamp, learnt from the timestamp's shape
  "console tag of a hypervisor's guest": crash.map((l) => `[guest0/uart0] ${l}`).join("\n"),
  "grep -r over pstore": crash.map((l) => `/sys/fs/pstore/console-ramoops-0:${l}`).join("\n"),
  "socklog facility and level": crash.map((l) => `kern.alert: ${l}`).join("\n"),
  "markdown bold": crash.map((l) => `**${l}**`).join("\n"),
  "shell prompt glued to the first line": crash
    .map((l, i) => (i === 0 ? `user@host ~ $ ${l}` : l))
    .join("\n"),
  "HTML-escaped in a pre block": [
    "<pre>",
    ...crash.map((l) => l.replace(/</g, "&lt;").replace(/>/g, "&gt;")),
    "</pre>",
  ].join("\n"),
  "syslog without a host name": crash
    .map((l) => `Nov 21 09:12:01 kernel: ${message(l)}`)
    .join("\n"),
  "syslogd wall messages": crash
    .map((l) => `Message from syslogd@db7 at Nov 21 09:12:01 ...\n kernel:${message(l)}\n`)
    .join("\n"),
};

function facts(report: Report | undefined) {
  return {
    title: report?.title,
    kind: report?.kind,
    ip: [report?.ip?.symbol, report?.ip?.offset, report?.ip?.module],
    fault: report?.faultAddress,
    rdi: report?.registers.rdi,
    task: report?.task,
    release: report?.kernel.release,
    taints: report?.kernel.tainted,
    trace: report?.trace.filter((f) => f.reliable).map((f) => `${f.symbol}+${f.offset}`),
    modules: report?.modules.map((m) => m.name),
    code: report?.code?.bytes,
  };
}

describe("the same report in every input shape", () => {
  const reference = analyzeText(crash.join("\n"));
  it("the reference shape parses completely", () => {
    assert.equal(reference.reports.length, 1);
    assert.equal(
      reference.reports[0]?.title,
      "BUG: unable to handle kernel NULL pointer dereference in buggy_read_status",
    );
    assert.equal(reference.reports[0]?.trace.filter((f) => f.reliable).length, 7);
  });
  for (const [shape, text] of Object.entries(shapes)) {
    it(shape, () => {
      const { reports } = analyzeText(text);
      assert.equal(reports.length, 1, `reports found: ${reports.map((r) => r.title).join(" | ")}`);
      assert.deepEqual(facts(reports[0]), facts(reference.reports[0]));
    });
  }
});

describe("task line variants", () => {
  it("'Kdump: loaded' between the command and the taint flags (kernels with kdump armed)", () => {
    const text = crash
      .map((l) => l.replace("Comm: sh Tainted:", "Comm: sh Kdump: loaded Tainted:"))
      .join("\n");
    const [report] = analyzeText(text).reports;
    assert.equal(report?.task.comm, "sh");
    assert.equal(report?.task.pid, 102);
    assert.equal(report?.kernel.tainted, "G OE");
    assert.equal(report?.kernel.release, "6.1.0-56-cloud-amd64");
  });
});
