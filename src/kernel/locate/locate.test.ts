/**
 * The locators on synthetic kernels: a BTF blob among decoys in read-only data, an init_task
 * and a module list among look-alikes in data. Each must find the real one and refuse the
 * decoys; none may report what its check did not confirm.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BtfWriter } from "../btf/test-writer.js";
import type { Kallsyms } from "../kallsyms.js";
import type { Kernel } from "../kernel.js";
import { KernelMemory } from "../memory.js";
import { FakeMemory } from "../unwind/test-support.js";
import {
  btfHeaderLength,
  findBtf,
  findInitTask,
  findIrqStackPtr,
  findModuleList,
  locateSymbols,
  withLocatedSymbols,
} from "./index.js";

const STEXT = 0xffff800008010000n;
const ETEXT = 0xffff800008400000n;
const INIT = 0xffff800008600000n;
const EINITTEXT = 0xffff800008610000n;
const MODULES = 0xffff800004000000n;

/** task_struct {pid @0x40, tasks @0x80, comm @0x200} of 2048 bytes; module {state, list, name} */
function btfBlob(): Uint8Array {
  const w = new BtfWriter();
  const int = w.int("int", 4, { signed: true });
  const uint = w.int("unsigned int", 4);
  const char = w.int("char", 1, { signed: true });
  const listHead = w.peekId;
  w.struct("list_head", 16, [
    ["next", listHead + 1, 0],
    ["prev", listHead + 1, 64],
  ]);
  w.ptr(listHead);
  const comm = w.array(char, 16);
  const name = w.array(char, 56);
  w.struct("task_struct", 2048, [
    ["pid", int, 0x40 * 8],
    ["tasks", listHead, 0x80 * 8],
    ["comm", comm, 0x200 * 8],
  ]);
  w.struct("module", 512, [
    ["state", uint, 0],
    ["list", listHead, 8 * 8],
    ["name", name, 24 * 8],
  ]);
  return w.bytes();
}

function fakeKernel(memory: FakeMemory): { kernel: Kernel; kallsyms: Kallsyms } {
  const facets = new Map<string, Promise<unknown>>();
  const kernel = {
    memory: new KernelMemory(memory.read),
    facet: <T>(name: string, compute: () => Promise<T>): Promise<T> => {
      if (!facets.has(name)) facets.set(name, compute());
      return facets.get(name) as Promise<T>;
    },
    view: { cpus: [], vmcoreinfo: { numbers: new Map<string, bigint>() } },
  } as unknown as Kernel;
  const names = new Map([
    ["_stext", STEXT],
    ["_etext", ETEXT],
    ["__init_begin", INIT],
    ["_einittext", EINITTEXT],
  ]);
  const kallsyms = {
    lookup: (n: string) => {
      const address = names.get(n);
      return address === undefined ? undefined : { name: n, type: "T", address };
    },
  } as unknown as Kallsyms;
  return { kernel, kallsyms };
}

function putTask(m: FakeMemory, at: bigint, pid: number, comm: string, next: bigint, prev: bigint) {
  m.map(at, 2048);
  m.u32(at + 0x40n, pid);
  m.u64(at + 0x80n, next);
  m.u64(at + 0x88n, prev);
  m.write(at + 0x200n, Buffer.from(`${comm}\0`, "latin1"));
}

function putModule(
  m: FakeMemory,
  at: bigint,
  name: string,
  state: number,
  next: bigint,
  prev: bigint,
) {
  m.map(at, 512);
  m.u32(at, state);
  m.u64(at + 8n, next);
  m.u64(at + 16n, prev);
  m.write(at + 24n, Buffer.from(`${name}\0`, "latin1"));
}

describe("locating kernel data without data symbols", () => {
  it("reads a BTF header's length only when it is shaped like vmlinux BTF", () => {
    const blob = btfBlob();
    assert.equal(btfHeaderLength(blob, 0), blob.length);
    const damaged = blob.slice();
    damaged[4] = 32; // hdr_len
    assert.equal(btfHeaderLength(damaged, 0), undefined);
    const split = blob.slice();
    new DataView(split.buffer).setUint32(16, 4, true); // strings not right after types
    assert.equal(btfHeaderLength(split, 0), undefined);
  });

  it("finds BTF in read-only data past a decoy header, and init_task and modules in data", async () => {
    const m = new FakeMemory();
    const blob = btfBlob();
    m.map(ETEXT, 0x20000);
    // a decoy: a header whose sections run past the blob (its parse fails)
    const decoy = blob.slice(0, 24);
    new DataView(decoy.buffer).setUint32(12, 0x40, true);
    new DataView(decoy.buffer).setUint32(16, 0x40, true);
    m.write(ETEXT + 0x1000n, decoy);
    const btfAt = ETEXT + 0x8004n;
    m.write(btfAt, blob);
    // data: a stale "swapper/0" with a pid of 1, then the real init_task linked to one task
    const data = EINITTEXT + 0x10000n;
    const init = data + 0x4000n;
    const other = 0xffff000001000000n;
    putTask(m, data, 1, "swapper/0", 0n, 0n);
    putTask(m, init, 0, "swapper/0", other + 0x80n, other + 0x80n);
    putTask(m, other, 1, "init", init + 0x80n, init + 0x80n);
    // modules: a decoy head whose entry has state 9, then the real one with two modules
    const decoyHead = data + 0x8000n;
    const badModule = MODULES + 0x1000n;
    m.map(decoyHead, 16);
    m.u64(decoyHead, badModule + 8n);
    m.u64(decoyHead + 8n, badModule + 8n);
    putModule(m, badModule, "bogus", 9, decoyHead, decoyHead);
    const head = data + 0x9000n;
    const [a, b] = [MODULES + 0x3000n, MODULES + 0x6000n];
    m.map(head, 16);
    m.u64(head, a + 8n);
    m.u64(head + 8n, b + 8n);
    putModule(m, a, "buggy", 0, b + 8n, head);
    putModule(m, b, "lab_pvpanic", 0, head, a + 8n);

    const source = fakeKernel(m);
    const found = await findBtf(source);
    assert.equal(found?.start, btfAt);
    assert.equal(found?.stop, btfAt + BigInt(blob.length));
    const btf = found?.btf;
    assert.ok(btf);
    assert.equal(await findInitTask(source, btf), init);
    assert.equal(await findModuleList(source, btf), head);

    const located = await locateSymbols(source);
    assert.equal(located.get("__start_BTF"), btfAt);
    assert.equal(located.get("init_task"), init);
    assert.equal(located.get("modules"), head);
    assert.equal(located.has("__per_cpu_offset"), false, "no CPUs, no runqueues: not guessed");
    const symbols = withLocatedSymbols(source.kallsyms, located);
    assert.equal(symbols.lookup("init_task")?.address, init);
    assert.equal(symbols.lookup("_stext")?.address, STEXT, "kallsyms' own names win");
    assert.equal(symbols.lookup("runqueues"), undefined);
  });

  it("reports nothing when the only candidates fail their checks", async () => {
    const m = new FakeMemory();
    m.map(ETEXT, 0x10000);
    const blob = btfBlob();
    // BTF without task_struct: rename it so the check fails
    const renamed = Buffer.from(blob);
    const at = renamed.indexOf("task_struct");
    renamed.write("task_strucx", at, "latin1");
    m.write(ETEXT + 0x100n, renamed);
    const source = fakeKernel(m);
    assert.equal(await findBtf(source), undefined);
    assert.equal((await locateSymbols(source)).size, 0);
  });

  it("finds irq_stack_ptr from a CPU caught on its IRQ stack, refusing a word that fits one CPU only", async () => {
    const m = new FakeMemory();
    const anchor = INIT + 0x1000n; // a per-CPU symbol's value (runqueues)
    const offsets = [0xffff4d67fe9d2000n, 0xffff4d67fe9f0000n];
    const area = (cpu: number, symbol: bigint) =>
      BigInt.asUintN(64, symbol + (offsets[cpu] as bigint));
    for (const cpu of [0, 1]) m.map(area(cpu, anchor) - 0x2000n, 0x4000);
    const stacks = [0xffff800008000000n, 0xffff800008008000n];
    // a decoy: CPU 0's stack address in a variable whose CPU 1 copy is 0
    const decoy = anchor - 0x800n;
    m.u64(area(0, decoy), stacks[0] as bigint);
    const real = anchor + 0x50n;
    m.u64(area(0, real), stacks[0] as bigint);
    m.u64(area(1, real), stacks[1] as bigint);
    const { kernel, kallsyms } = fakeKernel(m);
    const evidence = {
      offsets,
      anchor,
      stackSize: 0x4000n,
      offTaskSp: new Map([[0, (stacks[0] as bigint) + 0x3f10n]]),
    };
    assert.equal(await findIrqStackPtr({ kernel, kallsyms }, evidence), real);
    const none = fakeKernel(m);
    assert.equal(
      await findIrqStackPtr(none, { ...evidence, offTaskSp: new Map() }),
      undefined,
      "no CPU off its task stack: no guess",
    );
  });
});
