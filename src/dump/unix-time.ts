/**
 * @module dump/unix-time
 * Seconds since 1970 from a dump header or VMCOREINFO as a Date, or undefined when the value
 * is no time at all (0, or beyond the ±8.64e15 ms a Date can hold: a damaged header).
 */
export function unixTime(seconds: bigint | number): Date | undefined {
  const date = new Date(Number(seconds) * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
