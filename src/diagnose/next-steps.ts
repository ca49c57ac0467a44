/**
 * @module diagnose/next-steps
 * What to do next, derived from the findings and the culprit: one generator per finding id,
 * in the order an engineer would act on them.
 */
import type { Report } from "../oops/report.js";
import type { Culprit, Finding } from "./types.js";

type Step = (finding: Finding, report: Report, culprit: Culprit | undefined) => string | undefined;

/** how the earlier report of a prior-warning finding is named in a next step */
const KIND_NAMES: Record<string, string> = {
  warning: "WARNING",
  "kernel-bug": "kernel BUG",
  "null-deref": "oops",
  "paging-request": "oops",
  "general-protection": "general protection fault",
  "soft-lockup": "soft lockup",
  "hard-lockup": "hard lockup",
  "rcu-stall": "RCU stall",
  "hung-task": "hung-task report",
  kasan: "KASAN report",
  ubsan: "UBSAN report",
  "list-corruption": "list corruption report",
  other: "report",
};

const steps: ReadonlyArray<[string, Step]> = [
  [
    "lockup-consequence",
    (f) =>
      `Fix the lockup at line ${f.data?.causeLine} first (${f.data?.causeTitle}); the hung tasks follow from it.`,
  ],
  [
    "suspect-module",
    (f) =>
      f.data?.onStack
        ? `Remove or update module \`${f.data.module}\` and try to reproduce without it; ask its vendor for a fixed build.`
        : undefined,
  ],
  [
    "null-argument",
    (f, _report, culprit) => {
      // the trace may not show the caller; the culprit (from the link register) may
      const caller =
        f.data?.caller ??
        (culprit && culprit.symbol !== f.data?.callee ? culprit.symbol : undefined);
      return caller
        ? `Read how \`${caller}\` obtains the pointer it passes to \`${f.data?.callee}\`: look for an error path that leaves it NULL.`
        : undefined;
    },
  ],
  [
    "bug-assertion",
    (f) =>
      f.data?.nextStep
        ? String(f.data.nextStep)
        : `Read ${f.data?.file}:${f.data?.line} in the kernel's source to see the checked condition.`,
  ],
  [
    "poison-value",
    () => "Reproduce with KASAN or slub_debug=FZPU to catch the first bad access to the object.",
  ],
  [
    "null-deref",
    (f, report) =>
      f.data?.offset && report.ip?.symbol
        ? `Find which structure member sits at offset ${f.data.offset} in ${report.ip.symbol}'s view (\`pahole\`, or crash's \`struct -o\`) and where it can be left NULL.`
        : undefined,
  ],
  [
    "prior-warning",
    (f) =>
      f.data?.taint
        ? "Find the earlier WARNING or oops in the full kernel log (journalctl -k -b -1, or `crashlens dmesg` on the vmcore); it may be the first symptom."
        : f.data?.repeat
          ? `Compare with the same report at line ${f.data?.line}: a recurrence, not a cause.`
          : `Read the earlier ${KIND_NAMES[String(f.data?.kind)] ?? "report"} at line ${f.data?.line} first.`,
  ],
];

function culpritStep(report: Report, culprit: Culprit | undefined): string | undefined {
  if (!culprit) return undefined;
  const where = culprit.module
    ? `\`${culprit.symbol}\` in module \`${culprit.module}\``
    : `\`${culprit.symbol}\``;
  const release = report.kernel.release ? ` after ${report.kernel.release}` : "";
  return `Look for upstream and distribution fixes to ${where}${release}.`;
}

export function nextSteps(
  report: Report,
  findings: readonly Finding[],
  culprit: Culprit | undefined,
): string[] {
  const out: string[] = [];
  for (const [id, step] of steps) {
    for (const finding of findings.filter((f) => f.id === id)) {
      const text = step(finding, report, culprit);
      if (text && !out.includes(text)) out.push(text);
    }
  }
  const fix = culpritStep(report, culprit);
  if (fix && !findings.some((f) => f.id === "suspect-module" && f.data?.onStack)) out.push(fix);
  if (
    !report.session &&
    ["null-deref", "paging-request", "general-protection", "kernel-bug"].includes(report.kind)
  ) {
    const ip = report.ip?.symbol
      ? `${report.ip.symbol}+${report.ip.offset ?? 0}`
      : "the faulting address";
    out.push(
      `If a vmcore exists: \`crashlens analyze vmcore\`, then \`crashlens shell vmcore -c 'bt' -c 'dis -r ${ip}'\` (crash's commands from the dump alone, no debuginfo).`,
    );
  }
  return out;
}
