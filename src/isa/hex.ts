/**
 * @module isa/hex
 * Hex spellings shared by the decoders and the listing: objdump's `48 89 30` byte runs and
 * `0x`-prefixed lower-case numbers.
 */

/** `48 89 30`: bytes as objdump lists them. */
export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** `0x1f`: an unsigned number the way objdump prints addresses. */
export function formatHex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}
