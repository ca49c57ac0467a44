import { ruleTester } from "../rule-tester.js";

ruleTester("suspect-module", {
  valid: [
    {
      name: "no module list pasted: a taint letter alone does not say which module (303)",
      real: "realworld:303",
    },
    {
      name: "tainted POE with vmnet on the stack but no flags shown (411)",
      real: "realworld:411",
    },
    {
      name: "a btrfs cleaner hung in down_write on a tainted kernel: btrfs is in-tree (220)",
      real: "realworld:220",
    },
    { name: "an untainted kernel (seed 002)", real: "seed:002" },
    // a taint or a loaded module is no evidence about this crash: naming one would be a guess
    { name: "seed 004: tainted OE, the module list cut from the paste", real: "seed:004" },
    {
      name: "z/VM guest, E taint from unsigned modules, none on the stack",
      real: "realworld:105",
    },
    {
      name: "gasket/apex loaded (OE), the fault in core task_work_run",
      real: "realworld:422",
    },
    {
      name: "nvidia (P) loaded, the task nvidia-smi, the fault in AppArmor",
      real: "realworld:423",
    },
    {
      name: "a vendor debug hook that BUG()s when __might_resched reports: the messenger (Android)",
      real: "realworld:322",
      at: "kernel BUG at kernel/sched/walt/walt_debug.c:16!",
    },
    {
      name: "txg_sync blocked in spl's cv_wait_io: a wait primitive, and the task waits for I/O",
      real: "realworld:404",
    },
    {
      name: "a kthread parked right after creation: nothing it waits for is in a module (RPi)",
      real: "realworld:124",
    },
    {
      name: "xfs only called into dattobd's hook: no flags shown, the taint is not about it",
      real: "realworld:152",
      notSummary: /Module xfs/,
    },
  ],
  invalid: [
    {
      name: "seed 003: the lockup is inside RHEL-unsigned dirpro",
      real: "seed:003",
      summary:
        /Module dirpro \(U: unsigned or unsupported module \(RHEL\)\) .* the crash happened inside it/,
      evidence: "dirpro(U)",
      data: { module: "dirpro", onStack: true },
    },
    {
      name: "seed 003: syshook_linux only in unreliable frames",
      real: "seed:003",
      summary: /Module syshook_linux .* only in unreliable \(\?\) entries/,
    },
    {
      name: "lab hung task: no module list, but the boot log says buggy tainted the kernel O and E",
      real: "lab:hung",
      summary:
        /^Module buggy \(OE: out-of-tree module, unsigned module\) is not part of the kernel's tested code and it is on the crashing stack/,
      evidence: "buggy: loading out-of-tree module taints kernel.",
      data: { module: "buggy", onStack: true },
    },
    {
      name: "'nvidia: loading out-of-tree module taints kernel.' names the module (nvidia-open)",
      real: "realworld:348",
      summary:
        /^Module nvidia \(O: out-of-tree module\) is not part of the kernel's tested code and the crash happened inside it/,
      evidence: "nvidia: loading out-of-tree module taints kernel.",
    },
    {
      name: "lab: out-of-tree and unsigned buggy(OE)",
      real: "lab:nullread",
      summary: /Module buggy \(OE: out-of-tree module, unsigned module\)/,
    },
  ],
});
