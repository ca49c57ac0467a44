/**
 * @module oops/parse-context
 * Lines outside any report that the diagnosis may cite, kept by the parser with the report
 * lines (ParseResult.lines): the kernel's announcement that a module taints it ("nvidia:
 * loading out-of-tree module taints kernel.", "zfs: module license 'CDDL' taints kernel.",
 * "x: module verification failed: … - tainting kernel"), printed once at load time, often
 * long before the crash, and the only proof of which module is out of tree when a report's
 * module list shows no flags. The fast scanner treats these words as loud (loud-lines.ts).
 */

export const TAINT_ANNOUNCEMENT_WORDS = ["taints kernel", "tainting kernel"] as const;

export function isContextLine(text: string): boolean {
  return TAINT_ANNOUNCEMENT_WORDS.some((w) => text.includes(w));
}
