/**
 * @module kernel/unwind/format
 * Addresses in stop reasons: 16 hex digits, as crash and the kernel print them.
 */
export const hex = (value: bigint): string =>
  BigInt.asUintN(64, value).toString(16).padStart(16, "0");
