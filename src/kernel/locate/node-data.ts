/**
 * @module kernel/locate/node-data
 * `node_data` (NUMA kernels: an array of `pglist_data *`, arch/arm64/mm/numa.c) or
 * `contig_page_data` without data symbols. A node's `pglist_data` is recognised by its own
 * zones pointing back at it (every `node_zones[i].zone_pgdat`), its `node_id` and
 * 0 < node_present_pages ≤ node_spanned_pages; the array is a
 * word in the image's data pointing at node 0's, the contiguous case the struct itself.
 */
import type { Btf } from "../btf/index.js";
import { imageLayout, type LocateSource, scanRegion } from "./image.js";

export interface LocatedNodeData {
  /** "node_data" (an array of pointers) or "contig_page_data" (the struct itself) */
  readonly name: "node_data" | "contig_page_data";
  readonly address: bigint;
}

interface PgdatOffsets {
  readonly nodeId: number;
  /** node_zones[0].zone_pgdat, from the start of pglist_data */
  readonly backPointer: number;
  /** sizeof(struct zone) and MAX_NR_ZONES: every zone points back, not only the first */
  readonly zoneSize: number;
  readonly zones: number;
  readonly present: number;
  readonly spanned: number;
}

function offsetsOf(btf: Btf): PgdatOffsets | undefined {
  const nodeId = btf.offsetof("pglist_data", "node_id");
  const zones = btf.offsetof("pglist_data", "node_zones");
  const back = btf.offsetof("zone", "zone_pgdat");
  const zoneSize = btf.find("struct zone")?.size;
  const present = btf.offsetof("pglist_data", "node_present_pages");
  const spanned = btf.offsetof("pglist_data", "node_spanned_pages");
  const pgdat = btf.find("struct pglist_data");
  const array = pgdat?.members?.find((m) => m.name === "node_zones");
  const arrayBytes = array === undefined ? undefined : btf.sizeof(array.type);
  if (
    nodeId === undefined ||
    zones === undefined ||
    back === undefined ||
    zoneSize === undefined ||
    zoneSize === 0 ||
    present === undefined ||
    spanned === undefined ||
    arrayBytes === undefined
  )
    return undefined;
  const count = Math.max(1, Math.min(8, Math.floor(arrayBytes / zoneSize)));
  return { nodeId, backPointer: zones + back, zoneSize, zones: count, present, spanned };
}

/** Is `at` node `node`'s pglist_data: its first zone points back at it and node_id agrees. */
export async function isPgdat(
  source: LocateSource,
  btf: Btf,
  at: bigint,
  node = 0,
): Promise<boolean> {
  const offsets = offsetsOf(btf);
  if (offsets === undefined || at % 8n !== 0n) return false;
  const memory = source.kernel.memory;
  try {
    for (let zone = 0; zone < offsets.zones; zone++) {
      const back = at + BigInt(offsets.backPointer + zone * offsets.zoneSize);
      if ((await memory.u64(back)) !== at) return false;
    }
    if ((await memory.s32(at + BigInt(offsets.nodeId))) !== node) return false;
    const present = await memory.u64(at + BigInt(offsets.present));
    const spanned = await memory.u64(at + BigInt(offsets.spanned));
    return present > 0n && present <= spanned;
  } catch {
    return false;
  }
}

/** Finds node_data (or contig_page_data) in the image's data; undefined when neither checks. */
export async function findNodeData(
  source: LocateSource,
  btf: Btf,
): Promise<LocatedNodeData | undefined> {
  const { kernel } = source;
  return kernel.facet("locate.node_data", async () => {
    const layout = await imageLayout(source);
    const offsets = offsetsOf(btf);
    if (layout?.data === undefined || offsets === undefined) return undefined;
    const image = { start: layout.text.start, end: layout.data.end };
    const pointers: { at: bigint; value: bigint }[] = [];
    const structs: bigint[] = [];
    await scanRegion(kernel, layout.data, (bytes, address) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const skew = Number((8n - (address % 8n)) % 8n);
      for (let at = skew; at + 8 <= bytes.length; at += 8) {
        const word = view.getBigUint64(at, true);
        const here = address + BigInt(at);
        // a pointer to memory outside the image (memblock-allocated node data)…
        if (word >= 1n << 63n && (word < image.start || word >= image.end) && word % 64n === 0n)
          pointers.push({ at: here, value: word });
        // …or, without NUMA, the zones of a static pglist_data pointing back into the image
        if (word === here - BigInt(offsets.backPointer) && word >= image.start) structs.push(word);
      }
      return false;
    });
    // the array's first slot is the node-0 pointer; the slot before it is not a pgdat pointer
    const checked = new Map<bigint, boolean>();
    for (const { at, value } of pointers) {
      let ok = checked.get(value);
      if (ok === undefined) {
        ok = await isPgdat(source, btf, value, 0);
        checked.set(value, ok);
      }
      if (ok) return { name: "node_data", address: at };
    }
    for (const at of structs)
      if (await isPgdat(source, btf, at, 0)) return { name: "contig_page_data", address: at };
    return undefined;
  });
}
