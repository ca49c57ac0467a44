import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

/** The lab's oops from its header to the panic line (one boot's report, no boot log). */
function oopsOf(name: string, header: string): string {
  const log = input(name);
  return log.slice(log.indexOf(header), log.indexOf("Kernel panic - not syncing"));
}
/** `log` with its printk timestamps moved `seconds` later, as if printed later in the boot. */
function later(log: string, seconds: number): string {
  return log.replace(
    /^\[\s*(\d+\.\d+)\]/gm,
    (_, t: string) => `[${(Number(t) + seconds).toFixed(6).padStart(12)}]`,
  );
}
const WARN = oopsOf("lab:warn", "[    2.821691] WARNING:");
const NULLREAD = later(oopsOf("lab:nullread", "[    2.548749] BUG:"), 10);
const NULLREAD_TAINTED_W = NULLREAD.replace("Tainted: G           OE", "Tainted: G        W  OE");

ruleTester("prior-warning", {
  valid: [
    { name: "tainted only by modules", real: "lab:nullread" },
    {
      name: "a second boot in the same mail: Not tainted and [#1], so the first oops was another boot (ppc64le)",
      real: "realworld:108",
      at: "BUG: Unable to handle kernel data access on read at 0x80000001012e7398",
    },
    {
      name: "a WARNING pasted after an oops of another board: Not tainted (arm64 mtk)",
      real: "realworld:115",
      at: "WARNING: CPU",
    },
    {
      name: "two identical GPFs of two boots in one messages file: Not tainted, [#1]",
      real: "realworld:201",
      at: "Pid: 1525, comm: Xorg",
    },
    {
      name: "the soft lockup's own L: the panic prints the CPU line after the watchdog tainted",
      real: "realworld:332",
    },
    { name: "the first event of the boot: Not tainted", real: "realworld:100" },
    {
      name: "a WARNING before an oops that is not tainted W: not shown to be the same boot",
      input: `${WARN}\n${NULLREAD}`,
      report: 1,
    },
  ],
  invalid: [
    {
      name: "seed 004: taint W",
      real: "seed:004",
      summary: /tainted W: a WARNING was issued before this report in the same boot/,
      evidence: "Tainted: G        W  OE",
      data: { taint: "W" },
    },
    {
      name: "an earlier WARNING of the same boot: the BUG's taint is W (s390x vfio)",
      real: "realworld:101",
      at: "kernel BUG at drivers/vfio/vfio_iommu_type1.c:1480!",
      summary:
        /^An earlier WARNING in this boot \(line 13: "WARNING: CPU: 10 PID: 6210 at drivers\/vfio\/vfio_iommu_type1\.c:1204"\) .* \(this report is tainted W\)/,
      data: { line: 13, kind: "warning" },
    },
    {
      name: "an earlier kernel BUG, named as such, ties a WARNING tainted D (f2fs)",
      real: "realworld:118",
      at: "kernel/exit.c",
      summary:
        /^An earlier kernel BUG in this boot \(line 13: "kernel BUG at fs\/f2fs\/extent_cache\.c:730!"\)/,
      data: { kind: "kernel-bug" },
    },
    {
      name: "a sleeping-in-atomic report taints W: the vendor hook's BUG follows it",
      real: "realworld:322",
      at: "kernel BUG at kernel/sched/walt/walt_debug.c:16!",
      summary: /BUG: sleeping function called from invalid context .* \(this report is tainted W\)/,
    },
    {
      name: "a WARNING before an oops tainted W",
      input: `${WARN}\n${NULLREAD_TAINTED_W}`,
      report: 1,
      summary:
        /^An earlier WARNING in this boot \(line \d+: "WARNING: CPU: 0 PID: 100 at drivers\/misc\/buggy\/buggy\.c:210/,
    },
    {
      name: "the same oops again as [#2]: a recurrence, not a consequence",
      input: `${NULLREAD}\n${later(NULLREAD.replace("[#1]", "[#2]"), 30)}`,
      report: 1,
      summary:
        /^The same NULL pointer dereference was already reported in this boot \(line 1, this report is oops \[#2\]\): this is a recurrence/,
      data: { repeat: true },
    },
  ],
});
