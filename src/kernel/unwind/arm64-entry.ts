/**
 * @module kernel/unwind/arm64-entry
 * The arm64 exception vectors whose frame record is the `stackframe` inside a `struct
 * pt_regs` (entry.S `kernel_entry`: `add x29, sp, #S_STACKFRAME`). A frame in one of these
 * functions means the next frame record belongs to the interrupted context. Each row names
 * the kernel change that introduced the spelling; the unwinder still checks the pt_regs it
 * finds against the record before trusting it.
 */

export interface EntryRow {
  readonly pattern: RegExp;
  readonly why: string;
}

export const ARM64_EXCEPTION_ENTRIES: readonly EntryRow[] = [
  {
    pattern: /^el[01][th]_(?:64|32)_(?:sync|irq|fiq|error)$/,
    why: "v5.14's entry rework (Mark Rutland's arm64 entry-to-C series) names the vectors el<level><t|h>_<width>_<kind>",
  },
  {
    pattern: /^el[01]_(?:sync|irq|fiq|error)(?:_compat)?$/,
    why: "v4.14–v5.13 spell the vectors el1_sync, el0_irq, … (crash's arm64_exception_functions)",
  },
  {
    pattern: /^(?:el1_sync_invalid|el1_irq_invalid|el1_fiq_invalid|el1_error_invalid)$/,
    why: "the invalid-vector stubs save a pt_regs before calling bad_mode() (v4.14–v5.13)",
  },
];

/** is `name` an exception vector whose frame record lives in a pt_regs */
export function isExceptionEntry(name: string | undefined): boolean {
  return name !== undefined && ARM64_EXCEPTION_ENTRIES.some((row) => row.pattern.test(name));
}
