/**
 * @module kernel/locate/timekeeper
 * `tk_core` (kernel/time/timekeeping.c: `struct { seqcount_raw_spinlock_t seq; struct
 * timekeeper timekeeper; }`) without a data symbol, for `sys`'s DATE. A `struct timekeeper`
 * is recognised by its monotonic and raw clocks pointing at the same clocksource, whose name
 * is a printable string, and a wall-clock second after 2001; `tk_core` is that address minus
 * the sequence counter rounded up to 8 bytes (the rule the `sys` reader applies back).
 * `shadow_timekeeper` has the same shape and, after each update, the same time: either gives
 * the same DATE, and the one with the latest second is taken.
 */
import type { Btf } from "../btf/index.js";
import { imageLayout, type LocateSource, scanRegion } from "./image.js";

/** 2001-09-09: a wall clock before it is not a crash time */
const MIN_SECONDS = 1_000_000_000n;
const MAX_SECONDS = 100_000_000_000n;
const KERNEL_HALF = 1n << 63n;

interface Offsets {
  readonly mono: number;
  readonly raw: number;
  readonly xtime: number;
  readonly name: number;
  /** tk_core's timekeeper member offset */
  readonly inCore: number;
}

function offsetsOf(btf: Btf): Offsets | undefined {
  const mono = btf.offsetof("timekeeper", "tkr_mono.clock");
  const raw = btf.offsetof("timekeeper", "tkr_raw.clock");
  const xtime = btf.offsetof("timekeeper", "xtime_sec");
  const name = btf.offsetof("clocksource", "name");
  const seq = btf.find("seqcount_raw_spinlock_t") ?? btf.find("seqcount_t");
  const seqSize = seq === undefined ? undefined : btf.sizeof(seq.id);
  if (
    mono === undefined ||
    raw === undefined ||
    xtime === undefined ||
    name === undefined ||
    seqSize === undefined
  )
    return undefined;
  return { mono, raw, xtime, name, inCore: Math.ceil(seqSize / 8) * 8 };
}

/** the wall-clock second of the timekeeper at `at`, or undefined when it is not one */
export async function timekeeperSeconds(
  source: LocateSource,
  btf: Btf,
  at: bigint,
): Promise<bigint | undefined> {
  const o = offsetsOf(btf);
  if (o === undefined) return undefined;
  const memory = source.kernel.memory;
  try {
    const clock = await memory.u64(at + BigInt(o.mono));
    if (clock < KERNEL_HALF || (await memory.u64(at + BigInt(o.raw))) !== clock) return undefined;
    const name = await memory.cString(await memory.u64(clock + BigInt(o.name)), 32);
    if (!/^[\w.-]{2,31}$/.test(name)) return undefined;
    const seconds = await memory.s64(at + BigInt(o.xtime));
    return seconds >= MIN_SECONDS && seconds < MAX_SECONDS ? seconds : undefined;
  } catch {
    return undefined;
  }
}

/** The address `tk_core` would have, or undefined when no timekeeper checks out. */
export async function findTkCore(source: LocateSource, btf: Btf): Promise<bigint | undefined> {
  const { kernel } = source;
  return kernel.facet("locate.tk_core", async () => {
    const layout = await imageLayout(source);
    const o = offsetsOf(btf);
    if (layout?.data === undefined || o === undefined) return undefined;
    const candidates: bigint[] = [];
    await scanRegion(kernel, layout.data, (bytes, address) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const skew = Number((8n - (address % 8n)) % 8n);
      const span = Math.max(o.mono, o.raw) + 8;
      for (let at = skew; at + span <= bytes.length; at += 8) {
        const clock = view.getBigUint64(at + o.mono, true);
        if (clock >= KERNEL_HALF && view.getBigUint64(at + o.raw, true) === clock)
          candidates.push(address + BigInt(at));
      }
      return false;
    });
    let best: { at: bigint; seconds: bigint } | undefined;
    for (const at of candidates) {
      const seconds = await timekeeperSeconds(source, btf, at);
      if (seconds !== undefined && (best === undefined || seconds > best.seconds))
        best = { at, seconds };
    }
    return best === undefined ? undefined : best.at - BigInt(o.inCore);
  });
}
