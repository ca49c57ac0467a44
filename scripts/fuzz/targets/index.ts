/**
 * The table of fuzz targets, in the order campaigns run them. Loaded lazily per group so a
 * worker for a text target does not build the dump seeds.
 */
import type { Target } from "../target.js";

const groups: Record<string, () => Promise<Target[]>> = {
  text: async () => (await import("./text.js")).textTargets,
  oops: async () => (await import("./oops.js")).oopsTargets,
  code: async () => (await import("./code.js")).codeTargets,
  kernel: async () => (await import("./kernel.js")).kernelTargets,
  dump: async () => (await import("./dump.js")).dumpTargets,
  analyze: async () => (await import("./analyze.js")).analyzeTargets,
};

/** target name → its group, so one target can be loaded alone */
export const targetNames: Readonly<Record<string, string>> = {
  "text-lines": "text",
  "text-prefixes": "text",
  "text-normalize": "text",
  "text-journal": "text",
  "oops-segment": "oops",
  "oops-parse": "oops",
  "oops-diagnose": "oops",
  "oops-scan-file": "oops",
  "oops-code": "code",
  "kernel-vmcoreinfo": "kernel",
  "kernel-kallsyms": "kernel",
  "kernel-printk": "kernel",
  "dump-kdump": "dump",
  "dump-elf": "dump",
  "dump-flattened": "dump",
  "dump-split": "dump",
  "analyze-file": "analyze",
};

export async function loadTarget(name: string): Promise<Target> {
  const group = targetNames[name];
  const load = group === undefined ? undefined : groups[group];
  const target = load === undefined ? undefined : (await load()).find((t) => t.name === name);
  if (target === undefined) throw new Error(`no fuzz target ${name}`);
  return target;
}

/** the relative share of time per target (dumps are slower per input) */
export const targetWeights: Readonly<Record<string, number>> = {
  "kernel-printk": 1.5,
  "dump-kdump": 2,
  "dump-elf": 2,
  "dump-flattened": 2,
  "dump-split": 2,
  "analyze-file": 2,
};
