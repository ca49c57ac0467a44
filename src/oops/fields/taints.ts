/**
 * @module oops/fields/taints
 * What each taint letter means (kernel/panic.c `taint_flags`, Documentation/admin-guide/
 * tainted-kernels.rst), plus the per-module flags printed in "Modules linked in:".
 */
import type { Taint } from "../report.js";

interface TaintRow {
  letter: string;
  meaning: string;
  /** a distribution that gives the letter another meaning, matched against the release */
  vendor?: { release: RegExp; meaning: string };
}

const taintRows: readonly TaintRow[] = [
  { letter: "P", meaning: "a proprietary (non-GPL) module was loaded" },
  { letter: "F", meaning: "a module was force-loaded" },
  { letter: "S", meaning: "the kernel runs on out-of-spec hardware or an SMP-unsafe CPU" },
  { letter: "R", meaning: "a module was force-unloaded" },
  { letter: "M", meaning: "a machine-check exception occurred" },
  { letter: "B", meaning: "a bad page was referenced or freed" },
  { letter: "U", meaning: "user space asked for the taint" },
  { letter: "D", meaning: "the kernel died recently (an earlier oops or BUG)" },
  { letter: "A", meaning: "an ACPI table was overridden" },
  { letter: "W", meaning: "a warning was issued earlier" },
  { letter: "C", meaning: "a staging driver was loaded" },
  { letter: "I", meaning: "a firmware bug workaround is active" },
  { letter: "O", meaning: "an out-of-tree module was loaded" },
  { letter: "E", meaning: "an unsigned module was loaded" },
  { letter: "L", meaning: "a soft lockup occurred earlier" },
  { letter: "K", meaning: "the kernel was live-patched" },
  { letter: "X", meaning: "an auxiliary (distribution-defined) taint" },
  {
    letter: "T",
    meaning: "the kernel was built with the struct randomization plugin",
    vendor: { release: /\.el[6-9]/, meaning: "technology-preview code was loaded (RHEL)" },
  },
  { letter: "N", meaning: "an in-kernel test (KUnit) ran" },
];

/** Decodes the taint string of a "Tainted:" line ("G        W  OE", "G --L------------"). */
export function decodeTaints(tainted: string, release?: string): Taint[] {
  const seen = new Set<string>();
  const out: Taint[] = [];
  for (const letter of tainted.replace(/^[GP]/, (m) => (m === "P" ? "P" : ""))) {
    if (!/[A-Z]/.test(letter) || seen.has(letter)) continue;
    seen.add(letter);
    const row = taintRows.find((r) => r.letter === letter);
    if (!row) {
      out.push({ letter, meaning: "unknown taint flag" });
      continue;
    }
    const vendor = row.vendor && release && row.vendor.release.test(release);
    out.push({ letter, meaning: vendor && row.vendor ? row.vendor.meaning : row.meaning });
  }
  return out;
}

/** Per-module flags in "Modules linked in: name(FLAGS)". */
export const moduleFlagMeanings: Readonly<Record<string, string>> = {
  P: "proprietary (non-GPL) module",
  O: "out-of-tree module",
  F: "force-loaded",
  C: "staging driver",
  E: "unsigned module",
  // RHEL 6 marked modules without a Red Hat signature with "U"
  U: "unsigned or unsupported module (RHEL)",
  X: "unsupported module (SUSE)",
  N: "in-kernel test module",
  K: "live patch",
  T: "technology preview (RHEL)",
  "+": "being loaded",
  "-": "being unloaded",
};
