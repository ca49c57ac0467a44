/**
 * @module oops/parse-context
 * Lines outside any report that the diagnosis may cite, kept by the parser with the report
 * lines (ParseResult.lines): the kernel's announcement that a module taints it ("nvidia:
 * loading out-of-tree module taints kernel.", "zfs: module license 'CDDL' taints kernel.",
 * "x: module verification failed: … - tainting kernel"), printed once at load time, often
 * long before the crash, and the only proof of which module is out of tree when a report's
 * module list shows no flags. The fast scanner treats these words as loud (loud-lines.ts).
 */

/** The announcements by taint flag; the module is the first group. */
export const TAINT_ANNOUNCEMENTS: ReadonlyArray<{ flag: string; pattern: RegExp }> = [
  { flag: "O", pattern: /(?:^|\s)([\w-]+): loading out-of-tree module taints kernel/ },
  { flag: "P", pattern: /(?:^|\s)([\w-]+): module license '[^']*' taints kernel/ },
  {
    flag: "E",
    pattern: /(?:^|\s)([\w-]+): module verification failed: signature and\/or required key missing/,
  },
  { flag: "C", pattern: /(?:^|\s)([\w-]+): module is from the staging directory/ },
];

/** Words every announcement holds, for the fast scanner's loud lines and a cheap pre-check. */
export const TAINT_ANNOUNCEMENT_WORDS = [
  "taints kernel",
  "tainting kernel",
  "module is from the staging directory",
] as const;

export function isContextLine(text: string): boolean {
  return TAINT_ANNOUNCEMENT_WORDS.some((w) => text.includes(w));
}
