/**
 * @module kernel/mm/vmap
 * The vmalloc areas (`struct vmap_area` on `vmap_area_list`, each with its `struct vm_struct`):
 * which area a vmalloc or module address is in, as `kmem ADDR` prints it — and so whose
 * kernel stack it is (CONFIG_VMAP_STACK). VMCOREINFO gives `SYMBOL(vmap_area_list)`,
 * `OFFSET(vmap_area.va_start)` and `OFFSET(vmap_area.list)` for makedumpfile; the rest is BTF.
 */
import type { Kernel } from "../kernel.js";

/** a busy machine has tens of thousands of areas; a damaged list must still end */
const maxAreas = 1_000_000;

export interface VmapArea {
  /** the struct vmap_area */
  area: bigint;
  /** its struct vm_struct (0 for areas without one) */
  vm: bigint;
  /** [start, end) */
  start: bigint;
  end: bigint;
  /** vm_struct.caller: who allocated it (`__vmalloc_node`, `module_alloc`, …) */
  caller?: bigint;
}

export interface VmapAreas {
  /** sorted by start */
  areas: VmapArea[];
  notes: string[];
}

/** Reads every vmap area, once per kernel. */
export function readVmapAreas(kernel: Kernel): Promise<VmapAreas> {
  return kernel.facet("mm.vmap-areas", async () => {
    const notes: string[] = [];
    const info = kernel.view.vmcoreinfo;
    const btf = await kernel.btf();
    // Linux kernel commit 55c49fee57af ("mm/vmalloc: remove vmap_area_list") (in v6.9)
    // dropped the list; such kernels keep areas in per-node trees, not read here
    const head =
      info.symbols.get("vmap_area_list") ??
      (await kernel.symbols()).lookup("vmap_area_list")?.address;
    const start = info.offsets.get("vmap_area.va_start") ?? btf.offsetof("vmap_area", "va_start");
    const list = info.offsets.get("vmap_area.list") ?? btf.offsetof("vmap_area", "list");
    const end = btf.offsetof("vmap_area", "va_end");
    const vm = btf.offsetof("vmap_area", "vm");
    const caller = btf.offsetof("vm_struct", "caller");
    if (head === undefined || start === undefined || list === undefined || end === undefined) {
      notes.push(
        "vmap_area_list is not there (v6.9+ keeps vmap areas per node): vmalloc areas are not known",
      );
      return { areas: [], notes };
    }
    const areas: VmapArea[] = [];
    const seen = new Set<bigint>();
    let entry = await kernel.memory.u64(head);
    while (entry !== head) {
      if (entry === 0n || seen.has(entry) || areas.length >= maxAreas) {
        notes.push(`vmap_area_list is broken at ${entry.toString(16)} after ${areas.length} areas`);
        break;
      }
      seen.add(entry);
      const area = entry - BigInt(list);
      try {
        const [first, last] = [
          await kernel.memory.u64(area + BigInt(start)),
          await kernel.memory.u64(area + BigInt(end)),
        ];
        const found: VmapArea = { area, vm: 0n, start: first, end: last };
        if (vm !== undefined) found.vm = await kernel.memory.u64(area + BigInt(vm));
        if (caller !== undefined && found.vm !== 0n)
          found.caller = await kernel.memory.u64(found.vm + BigInt(caller)).catch(() => undefined);
        if (found.caller === undefined) delete found.caller;
        areas.push(found);
        entry = await kernel.memory.u64(entry);
      } catch (error) {
        notes.push(`vmap area ${area.toString(16)} cannot be read: ${(error as Error).message}`);
        break;
      }
    }
    areas.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    return { areas, notes };
  });
}

/** The vmap area holding `address`, or undefined. */
export async function findVmapArea(kernel: Kernel, address: bigint): Promise<VmapArea | undefined> {
  const { areas } = await readVmapAreas(kernel);
  let low = 0;
  let high = areas.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const area = areas[mid] as VmapArea;
    if (address < area.start) high = mid - 1;
    else if (address >= area.end) low = mid + 1;
    else return area;
  }
  return undefined;
}
