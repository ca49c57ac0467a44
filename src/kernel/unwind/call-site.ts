/**
 * @module kernel/unwind/call-site
 * Does a return address follow a call instruction? A cheap check on the 7 bytes before it,
 * enough to drop most stale data words from a stack scan: `call rel32` (e8, 5 bytes, also
 * retpoline thunk calls) and `call r/m64` (ff /2, 2–7 bytes with optional REX prefix).
 */
import type { ReadMemory } from "./types.js";

/** bytes after the ModRM byte of `ff /2`, by ModRM.mod (rm = 4 adds a SIB byte) */
const DISPLACEMENT_BY_MOD = [0, 1, 4, 0] as const;

/** length of an `ff /2` call starting at bytes[at], or 0 when it is not one */
function indirectCallLength(bytes: Uint8Array, at: number): number {
  let i = at;
  const first = bytes[i];
  if (first !== undefined && first >= 0x40 && first <= 0x4f) i++; // REX
  if (bytes[i] !== 0xff) return 0;
  const modrm = bytes[i + 1];
  if (modrm === undefined || ((modrm >> 3) & 7) !== 2) return 0;
  const mod = modrm >> 6;
  const rm = modrm & 7;
  let length = i - at + 2;
  if (mod === 3) return length;
  if (rm === 4) {
    const sib = bytes[i + 2];
    if (sib === undefined) return 0;
    length += 1;
    if (mod === 0 && (sib & 7) === 5) length += 4; // SIB with no base: disp32
  } else if (mod === 0 && rm === 5) {
    length += 4; // rip-relative
  }
  return length + (DISPLACEMENT_BY_MOD[mod] ?? 0);
}

/** true when some call instruction ends exactly at `ret` */
export function endsWithCall(before: Uint8Array): boolean {
  const n = before.length;
  if (n >= 5 && before[n - 5] === 0xe8) return true;
  for (let length = 2; length <= Math.min(7, n); length++)
    if (indirectCallLength(before, n - length) === length) return true;
  return false;
}

export async function followsCall(read: ReadMemory, ret: bigint): Promise<boolean> {
  try {
    return endsWithCall(await read(ret - 7n, 7));
  } catch {
    return false;
  }
}
