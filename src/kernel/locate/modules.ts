/**
 * @module kernel/locate/modules
 * The module list head (`modules`, kernel/module/main.c) without a data symbol: a
 * `list_head` in the image's data whose every entry is a `struct module` (printable name,
 * state ≤ MODULE_STATE_UNFORMED) and whose list closes back on it. Entries live outside the
 * image: in the module region below it (arm64 with KASLR allocates modules within 4 GiB of
 * the kernel text) or where VMCOREINFO's MODULES_VADDR..MODULES_END says.
 */
import type { Btf } from "../btf/index.js";
import { imageLayout, type LocateSource, scanRegion } from "./image.js";

/** `enum module_state`: LIVE, COMING, GOING, UNFORMED */
const MAX_MODULE_STATE = 3;
/** MODULE_NAME_LEN on 64-bit kernels */
const MODULE_NAME_LEN = 56;
/** the longest module list walked while verifying */
const MAX_MODULES = 4096;
/** arm64 KASLR puts modules in a window of this size below the image (arch/arm64/kernel/kaslr.c) */
const MODULE_WINDOW = 4n << 30n;

interface ModuleOffsets {
  readonly list: number;
  readonly name: number;
  readonly state: number;
}

function offsetsOf(btf: Btf): ModuleOffsets | undefined {
  const list = btf.offsetof("module", "list");
  const name = btf.offsetof("module", "name");
  const state = btf.offsetof("module", "state");
  return list === undefined || name === undefined || state === undefined
    ? undefined
    : { list, name, state };
}

/** Is `head` a list_head whose entries are all modules? The empty list counts only if asked. */
export async function isModuleListHead(
  source: LocateSource,
  btf: Btf,
  head: bigint,
): Promise<boolean> {
  const offsets = offsetsOf(btf);
  if (offsets === undefined) return false;
  const memory = source.kernel.memory;
  try {
    let node = await memory.u64(head);
    let prev = head;
    for (let n = 0; n < MAX_MODULES; n++) {
      if (node === head) return n > 0;
      if ((await memory.u64(node + 8n)) !== prev) return false;
      const module = node - BigInt(offsets.list);
      const state = await memory.u32(module + BigInt(offsets.state));
      if (state > MAX_MODULE_STATE) return false;
      const name = await memory.cString(module + BigInt(offsets.name), MODULE_NAME_LEN);
      if (!/^[\w-]{1,55}$/.test(name)) return false;
      prev = node;
      node = await memory.u64(node);
    }
    return false;
  } catch {
    return false;
  }
}

/** The address of the `modules` list head, or undefined (no modules loaded, or not found). */
export async function findModuleList(source: LocateSource, btf: Btf): Promise<bigint | undefined> {
  const { kernel } = source;
  return kernel.facet("locate.modules", async () => {
    const layout = await imageLayout(source);
    if (layout?.data === undefined || offsetsOf(btf) === undefined) return undefined;
    const info = kernel.view.vmcoreinfo.numbers;
    const windows = [{ start: layout.text.start - MODULE_WINDOW, end: layout.text.start }];
    const mStart = info.get("MODULES_VADDR");
    const mEnd = info.get("MODULES_END");
    if (mStart !== undefined && mEnd !== undefined && mEnd > mStart)
      windows.push({ start: mStart, end: mEnd });
    const inWindow = (p: bigint) => windows.some((w) => p >= w.start && p < w.end);
    const candidates: bigint[] = [];
    await scanRegion(kernel, layout.data, (bytes, address) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const skew = Number((8n - (address % 8n)) % 8n);
      for (let at = skew; at + 16 <= bytes.length; at += 8) {
        const next = view.getBigUint64(at, true);
        if (!inWindow(next) || !inWindow(view.getBigUint64(at + 8, true))) continue;
        candidates.push(address + BigInt(at));
      }
      return false;
    });
    for (const head of candidates) if (await isModuleListHead(source, btf, head)) return head;
    return undefined;
  });
}
