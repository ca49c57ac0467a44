/**
 * Frame lines as kernels printed them, one row per shape, each quoted from a real log (the
 * satyr kernel-oops corpus, the syzkaller corpus or testdata/realworld): what frame, if any,
 * the line holds, and which stack it ran on.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Frame, FrameContext } from "../report.js";
import { parseFrameLine, type TraceState } from "./trace.js";

interface Row {
  why: string;
  line: string;
  /** the stack the listing was on before the line */
  before?: FrameContext;
  want: Partial<Frame> | "marker" | "none";
}

const rows: Row[] = [
  {
    why: "x86-64 3.x: address, then the symbol with its size",
    line: " [<ffffffff81099a6c>] __might_sleep+0x13c/0x200 ",
    want: { symbol: "__might_sleep", offset: 0x13c, size: 0x200, address: "0xffffffff81099a6c" },
  },
  {
    why: "a '?' frame was found on the stack, not proven by the unwinder",
    line: " [<ffffffff81511f30>] ? sock_def_readable+0x30/0x1c0 ",
    want: { symbol: "sock_def_readable", reliable: false },
  },
  {
    why: "compiler clone suffixes stay part of the name (satyr keeps them too)",
    line: " __slab_alloc.isra.50.constprop.56+0x49f/0x533",
    want: { symbol: "__slab_alloc.isra.50.constprop.56", offset: 0x49f },
  },
  {
    why: "SLUB's alloc/free tracks print a module address the kernel could not name",
    line: " 0xfdc88c28",
    want: { symbol: undefined, address: "0xfdc88c28" },
  },
  {
    why: "the all-ones word that ends a saved stack trace is no frame (lockdep, 4.x)",
    line: "  0xffffffffffffffff",
    want: "none",
  },
  {
    why: "s390: an address with no symbol, and its first frame in parentheses",
    line: "([<00000000027f8000>] 0x27f8000)",
    want: { symbol: undefined, address: "0x27f8000" },
  },
  {
    why: "s390: a parenthesised first frame with a symbol",
    line: "([<000003ff8086d036>] will_oops_init+0x36/0x1000 [will_oops])",
    want: { symbol: "will_oops_init", module: "will_oops", address: "0x3ff8086d036" },
  },
  {
    why: "ppc64: [stack pointer] [return address] .name — the code address is the second",
    line: "[c000000010f930b0] [c000000008068df8] .eeh_dev_check_failure+0x278/0x390 (unreliable)",
    want: { symbol: "eeh_dev_check_failure", address: "0xc000000008068df8", reliable: false },
  },
  {
    why: "ppc64: a module frame",
    line: "[c000000010f93340] [d0000000008c991c] .ipr_probe_ioa+0x6c/0x1390 [ipr]",
    want: { symbol: "ipr_probe_ioa", module: "ipr", address: "0xd0000000008c991c" },
  },
  {
    why: "arm before 3.19: (callee+off/size) from (caller): the callee is the frame",
    line: "[<c0014990>] (unwind_backtrace+0x0/0xf4) from [<c005ccb8>] (__lock_acquire+0x14f8/0x1b98)",
    want: { symbol: "unwind_backtrace", offset: 0, size: 0xf4, address: "0xc0014990" },
  },
  {
    why: "arm 3.19 on: the callee without its offset",
    line: "[<c0333330>] (shmem_getpage_gfp) from [<c031c7a0>] (generic_perform_write+0xa8/0x1c0)",
    want: { symbol: "shmem_getpage_gfp", address: "0xc0333330" },
  },
  {
    why: "x86 before 4.9 left an exception stack with <<EOE>>, then entered the IRQ stack",
    line: " <<EOE>> <IRQ>  [<ffffffff81584ca7>] ip_local_deliver+0x47/0x80",
    before: "nmi",
    want: { symbol: "ip_local_deliver", context: "irq" },
  },
  {
    why: "<EOI> ends the IRQ stack: the frame on the same line is the task's",
    line: " <EOI>  [<ffffffffa044ff36>] rt2800pci_rxdone_tasklet+0x16/0x90 [rt2800pci]",
    before: "irq",
    want: { symbol: "rt2800pci_rxdone_tasklet", module: "rt2800pci", context: "task" },
  },
  {
    why: "<NMI> on the first frame of a listing",
    line: " <NMI>  [<ffffffff81656735>] dump_stack+0x19/0x1b",
    want: { symbol: "dump_stack", context: "nmi" },
  },
  { why: "a marker alone on its line", line: " <IRQ>", want: "marker" },
  {
    why: "a lock line of lockdep names a function but is prose, not a frame",
    line: " #0:  (&(&host->lock)->rlock#2){-.....}, at: [<c026f744>] mxs_mmc_irq_handler+0x1c/0xe8",
    want: "none",
  },
];

describe("parseFrameLine on real frame lines", () => {
  for (const row of rows) {
    it(row.why, () => {
      const state: TraceState = { context: row.before ?? "task" };
      const frames = parseFrameLine(row.line, 7, state);
      if (row.want === "none") return assert.equal(frames, undefined);
      if (row.want === "marker") return assert.deepEqual(frames, []);
      assert.equal(frames?.length, 1, JSON.stringify(frames));
      const frame = frames?.[0] as Frame;
      const want: Partial<Frame> = { reliable: true, context: "task", line: 7, ...row.want };
      for (const [key, value] of Object.entries(want))
        assert.deepEqual(frame[key as keyof Frame], value, `${key} of ${JSON.stringify(frame)}`);
    });
  }
});
