/**
 * @module shell/fake-kernel
 * For tests: a `Kernel` over a few byte ranges and symbols given in code, so commands that
 * need kernel text (`dis`) run without a dump that holds it. Memory is whole 4 KiB pages, as
 * in a dump: each range is padded with zeros to its pages, and a read that touches any other
 * page fails as a page missing from a dump does.
 */
import type { Dump } from "../dump/types.js";
import { CrashlensError } from "../errors.js";
import { x86_64 } from "../kernel/arch/x86-64.js";
import type { KernelView } from "../kernel/index.js";
import type { Kallsyms, KernelSymbol } from "../kernel/kallsyms.js";
import { Kernel } from "../kernel/kernel.js";
import { emptyVmcoreinfo } from "../kernel/vmcoreinfo.js";

export interface FakeKernelSpec {
  /** memory contents by start address */
  memory: readonly { address: bigint; bytes: Uint8Array }[];
  symbols: readonly KernelSymbol[];
}

const PAGE = 4096n;

export function fakeKernel(spec: FakeKernelSpec): Kernel {
  const pages = new Map<bigint, Uint8Array>();
  for (const { address, bytes } of spec.memory) {
    bytes.forEach((b, i) => {
      const at = address + BigInt(i);
      let page = pages.get(at - (at % PAGE));
      if (page === undefined) {
        page = new Uint8Array(Number(PAGE));
        pages.set(at - (at % PAGE), page);
      }
      page[Number(at % PAGE)] = b;
    });
  }
  const read = async (address: bigint, length: number): Promise<Uint8Array> => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const at = address + BigInt(i);
      const page = pages.get(at - (at % PAGE));
      if (page === undefined)
        throw new CrashlensError(
          "fault",
          `physical page for ${at.toString(16)} is not in the dump`,
          {
            address: at,
            space: "physical",
            absent: true,
          },
        );
      out[i] = page[Number(at % PAGE)] as number;
    }
    return out;
  };
  const sorted = [...spec.symbols].sort((a, b) => (a.address < b.address ? -1 : 1));
  const kallsyms = {
    count: sorted.length,
    encoding: "fake",
    *symbols() {
      yield* sorted;
    },
    lookup: (name: string) => sorted.find((s) => s.name === name),
  } as unknown as Kallsyms;
  const dump = { facts: () => [], path: "fake", close: async () => {} } as unknown as Dump;
  const view: KernelView = {
    dump,
    vmcoreinfo: emptyVmcoreinfo(),
    arch: x86_64,
    cpus: [],
    physBase: 0n,
    warnings: [],
    readVirtual: read,
    translate: async (a) => a,
    readLog: async () => ({ records: [], warnings: ["no log in a fake kernel"] }),
    loadSymbols: async () => kallsyms,
  };
  return Kernel.fromView(view);
}
