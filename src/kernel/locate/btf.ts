/**
 * @module kernel/locate/btf
 * vmlinux BTF without `__start_BTF`: when kallsyms holds text symbols only
 * (CONFIG_KALLSYMS_ALL off, as in Debian's arm64 kernels), the `.BTF` section is found by
 * its header in the image's read-only data (include/uapi/linux/btf.h: magic 0xeb9f, version
 * 1, hdr_len 24; pahole writes types at offset 0 and strings right after them). A candidate
 * is kept only when it parses and defines `struct task_struct`.
 */
import { Btf } from "../btf/index.js";
import { imageLayout, type LocateSource, scanRegion } from "./image.js";

/** the kernel's own limit on vmlinux BTF is far above this; Kernel.btf() uses the same */
const MAX_BTF_BYTES = 64 << 20;
const HEADER_LENGTH = 24;

export interface LocatedBtf {
  /** what `__start_BTF` and `__stop_BTF` would be */
  readonly start: bigint;
  readonly stop: bigint;
  readonly btf: Btf;
}

/** the whole blob's length when `bytes[at..]` starts a plausible vmlinux BTF header */
export function btfHeaderLength(bytes: Uint8Array, at: number): number | undefined {
  if (at + HEADER_LENGTH > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, HEADER_LENGTH);
  if (view.getUint16(0, true) !== 0xeb9f || bytes[at + 2] !== 1 || bytes[at + 3] !== 0)
    return undefined;
  if (view.getUint32(4, true) !== HEADER_LENGTH) return undefined;
  const typeOff = view.getUint32(8, true);
  const typeLen = view.getUint32(12, true);
  const strOff = view.getUint32(16, true);
  const strLen = view.getUint32(20, true);
  // vmlinux BTF: types first, strings right after, both non-empty
  if (typeOff !== 0 || strOff !== typeLen || typeLen === 0 || strLen === 0) return undefined;
  const total = HEADER_LENGTH + strOff + strLen;
  return total <= MAX_BTF_BYTES ? total : undefined;
}

/** parses and checks a candidate: it must define a task_struct of a plausible size */
function verify(bytes: Uint8Array): Btf | undefined {
  try {
    if (
      bytes[HEADER_LENGTH + new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true)] !== 0
    )
      return undefined; // the string section starts with the empty name
    const btf = Btf.parse(bytes);
    const task = btf.find("struct task_struct");
    return task?.size !== undefined && task.size >= 1024 ? btf : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds vmlinux BTF in the image's read-only data (`_etext`..`__init_begin`), verified by
 * parsing it; undefined when there is none (a kernel without CONFIG_DEBUG_INFO_BTF).
 */
export async function findBtf(source: LocateSource): Promise<LocatedBtf | undefined> {
  const { kernel } = source;
  return kernel.facet("locate.btf", async () => {
    const layout = await imageLayout(source);
    if (layout?.rodata === undefined) return undefined;
    const candidates: { at: bigint; length: number }[] = [];
    await scanRegion(kernel, layout.rodata, (bytes, address) => {
      // the section is 4-byte aligned; 0x9f 0xeb 0x01 0x00 starts every header
      for (
        let i = bytes.indexOf(0x9f);
        i >= 0 && i + 4 <= bytes.length;
        i = bytes.indexOf(0x9f, i + 1)
      ) {
        if ((address + BigInt(i)) % 4n !== 0n || bytes[i + 1] !== 0xeb) continue;
        const header = i + HEADER_LENGTH <= bytes.length ? bytes : undefined;
        const length = header === undefined ? undefined : btfHeaderLength(header, i);
        if (length !== undefined) candidates.push({ at: address + BigInt(i), length });
      }
      return false;
    });
    for (const { at, length } of candidates) {
      if (at + BigInt(length) > layout.rodata.end) continue;
      const bytes = await kernel.memory.read(at, length).catch(() => undefined);
      const btf = bytes === undefined ? undefined : verify(bytes);
      if (btf !== undefined) return { start: at, stop: at + BigInt(length), btf };
    }
    return undefined;
  });
}
