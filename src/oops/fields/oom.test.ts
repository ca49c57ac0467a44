import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { stripPrefixes } from "../../text/prefixes.js";
import { type NumberedLine, parseOomFacts } from "./oom.js";

/** Lines of a committed real log, prefixes stripped, numbered from 1 as in the file. */
function linesOf(path: string, from = 1, to = Number.POSITIVE_INFINITY): NumberedLine[] {
  const all = readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8").split("\n");
  return all
    .map((raw, i) => ({ line: i + 1, text: stripPrefixes(raw).text }))
    .filter((l) => l.line >= from && l.line <= to);
}

test("a memcg OOM kill (Harvester, 6.x): invoker, memcg scope and limit, victim sizes", () => {
  const facts = parseOomFacts(
    linesOf("testdata/realworld/310-harvester-vm-memcg-oom-blog.txt", 39),
  );
  assert.ok(facts);
  assert.equal(facts.invoker?.comm, "CPU 11/KVM");
  assert.equal(facts.invoker?.gfpMask, "0xcc0");
  assert.equal(facts.invoker?.gfpFlags, "GFP_KERNEL");
  assert.equal(facts.invoker?.order, 0);
  assert.equal(facts.invoker?.oomScoreAdj, 830);
  assert.equal(facts.scope?.value, "memcg");
  assert.match(facts.limitCgroup ?? "", /^\/kubepods\.slice\/.*podef91e487/);
  assert.equal(facts.memcgUsage?.limitKb, 67579904);
  assert.equal(facts.memcgUsage?.failcnt, 67391);
  assert.equal(facts.victim?.pid, 70870);
  assert.equal(facts.victim?.comm, "qemu-system-x86");
  assert.equal(facts.victim?.anonRssKb, 66852088);
  assert.equal(facts.victim?.totalVmKb, 73209856);
});

test("the first OOM of a paste keeps its own invoker (Harvester, 6.x)", () => {
  const facts = parseOomFacts(
    linesOf("testdata/realworld/310-harvester-vm-memcg-oom-blog.txt", 16, 38),
  );
  assert.equal(facts?.invoker?.comm, "virt-launcher");
  assert.equal(facts?.invoker?.oomScoreAdj, 986);
  assert.equal(facts?.memcgUsage?.line, 20);
  assert.equal(facts?.scope?.value, "memcg");
});

test("a global OOM kill from grep output (Debian 6.1): global scope, victim uid and adj", () => {
  const facts = parseOomFacts(
    linesOf("testdata/realworld/324-debian-global-oom-memleak-grep.txt", 12, 14),
  );
  assert.ok(facts);
  assert.equal(facts.invoker, undefined, "no invoker line among these");
  assert.equal(facts.scope?.value, "global");
  assert.equal(facts.victim?.pid, 10843);
  assert.equal(facts.victim?.comm, "prometheus-conf");
  assert.equal(facts.victim?.uid, 1000);
  assert.equal(facts.victim?.oomScoreAdj, 997);
  assert.equal(facts.victim?.fileRssKb, 0);
});

test("a panic_on_oom report from the lab (Debian 6.1): invoker, swap, RAM; no victim", () => {
  const facts = parseOomFacts(linesOf("testdata/dumps/oom.vmcore-dmesg.txt", 366, 505));
  assert.ok(facts);
  assert.equal(facts.invoker?.comm, "sh");
  assert.equal(facts.invoker?.line, 366);
  assert.deepEqual(
    { free: facts.swap?.freeKb, total: facts.swap?.totalKb, line: facts.swap?.line },
    { free: 0, total: 0, line: 424 },
  );
  assert.equal(facts.ramPages, 65406);
  assert.equal(facts.victim, undefined, "panic_on_oom kills nobody");
  assert.equal(facts.scope, undefined, "no line states the constraint");
});

test("older shapes: 2.6/3.x invoker without flags, 'Kill process … score' only chooses", () => {
  const facts = parseOomFacts([
    {
      line: 1,
      text: "java invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0",
    },
    { line: 2, text: "Task in /lxc/web killed as a result of limit of /lxc/web" },
    {
      line: 3,
      text: "Memory cgroup out of memory: Kill process 4242 (java) score 998 or sacrifice child",
    },
    {
      line: 4,
      text: "Killed process 4242 (java) total-vm:3300000kB, anon-rss:1040000kB, file-rss:20kB",
    },
  ]);
  assert.ok(facts);
  assert.deepEqual(
    {
      mask: facts.invoker?.gfpMask,
      flags: facts.invoker?.gfpFlags,
      adj: facts.invoker?.oomScoreAdj,
    },
    { mask: "0x201da", flags: undefined, adj: 0 },
  );
  assert.equal(facts.scope?.value, "memcg");
  assert.equal(facts.limitCgroup, "/lxc/web");
  assert.equal(facts.victim?.line, 4);
  assert.equal(facts.victim?.anonRssKb, 1040000);
});

test("lines that only mention memory are not OOM facts", () => {
  assert.equal(
    parseOomFacts([
      { line: 1, text: "Kernel panic - not syncing: Out of memory and no killable processes..." },
      { line: 2, text: "Free swap  = 0kB" },
      { line: 3, text: "oom_reaper: reaped process 10843 (prometheus-conf), now anon-rss:0kB" },
    ]),
    undefined,
  );
});

test("parsed reports carry their OOM facts, and the victim line ends the report", async () => {
  const { analyzeText } = await import("../../analyze.js");
  const { input } = await import("../../../test/inputs.js");
  const reports = analyzeText(input("realworld:310")).reports;
  assert.deepEqual(
    reports.map((r) => [r.kind, r.header.line, r.oom?.invoker?.comm, r.oom?.victim?.pid]),
    [
      ["oom", 16, "virt-launcher", undefined],
      ["oom", 39, "CPU 11/KVM", 70870],
    ],
  );
  assert.equal(reports[1]?.lines.end, 55);
  const nullDeref = analyzeText(input("realworld:102")).reports[0];
  assert.equal(nullDeref?.oom, undefined, "an oops has no OOM facts");
});
