/**
 * @module oops/fields/fault
 * The faulting address and, on x86, the page-fault error code: from the header line, the
 * "Oops: 0002 [#1]" line, and the "#PF:" lines of 5.x+ kernels.
 */
import type { ErrorCode } from "../report.js";
import { hexAddress } from "./location.js";

/** Header shapes that state the address whose access faulted. */
const FAULT_ADDRESS: readonly RegExp[] = [
  /unable to handle kernel NULL pointer dereference at (?:virtual address )?(\s*\(null\)|[0-9a-f]+)/,
  /kernel NULL pointer dereference, address: ([0-9a-f]+)/,
  /unable to handle kernel paging request at (?:virtual address )?([0-9a-f]+)/,
  /unable to handle page fault for address: ([0-9a-f]+)/,
  /Unable to handle kernel (?:NULL pointer dereference|paging request|access to user memory|execute from non-executable memory|write to read-only memory) at virtual address ([0-9a-f]+)/,
  /Unable to handle kernel data access on (?:read|write) at (0x[0-9a-f]+)/,
  /general protection fault, probably for non-canonical address (0x[0-9a-f]+)/,
  /stack guard page was hit at ([0-9a-f]+)/,
  /(?:Read|Write) of size \d+ at addr ([0-9a-f]+)/,
];

export function parseFaultAddress(text: string): string | undefined {
  for (const re of FAULT_ADDRESS) {
    const m = re.exec(text);
    if (m) return m[1]?.includes("null") ? "0x0" : hexAddress(m[1] as string);
  }
  return undefined;
}

/** "Kernel panic - not syncing: Fatal exception" (the message is kept) */
export const PANIC_LINE = /Kernel panic - not syncing: ?(.*)$/;

/** "Oops: 0002 [#1] SMP" (since 2024 "Oops: Oops: 0002 [#1]") */
export const OOPS_LINE = /^\s*(?:Oops: )?Oops: ([0-9a-f]{4}) \[#(\d+)\]/;
/** "#PF: error_code(0x0002) - not-present page" */
export const PF_CODE_LINE = /^\s*#PF: error_code\((0x[0-9a-f]+)\)/;
export const PF_LINE = /^\s*#PF: (.*)$/;

/** The bits of the x86 page-fault error code (arch/x86/include/asm/trap_pf.h). */
export function decodeErrorCode(value: number, description?: string): ErrorCode {
  const code: ErrorCode = {
    value,
    present: (value & 0x1) !== 0,
    write: (value & 0x2) !== 0,
    user: (value & 0x4) !== 0,
    reservedBit: (value & 0x8) !== 0,
    instructionFetch: (value & 0x10) !== 0,
    protectionKey: (value & 0x20) !== 0,
    shadowStack: (value & 0x40) !== 0,
    sgx: (value & 0x8000) !== 0,
  };
  if (description) code.description = description;
  return code;
}
