/**
 * `struct`, `union`, `p`, `whatis` and `ptype` over a written BTF blob and a few pages of
 * pretend memory: the shapes crash prints, without a dump (the lab-dump checks are in
 * struct.conformance.test.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CrashlensError } from "../../errors.js";
import { Btf } from "../../kernel/btf/btf.js";
import { sampleBtf } from "../../kernel/btf/test-writer.js";
import type { Kernel } from "../../kernel/kernel.js";
import { KernelMemory } from "../../kernel/memory.js";
import { parseArgs, splitWords } from "../args.js";
import type { CommandContext, ShellCommand } from "../command.js";
import { defaultSettings } from "../settings.js";
import { SymbolIndex } from "../symbol-index.js";
import { pCommand } from "./p.js";
import { datatypeCommand, structCommand, unionCommand } from "./struct.js";
import { ptypeCommand, whatisCommand } from "./whatis.js";

const { w } = sampleBtf();
const btf = Btf.parse(w.bytes());

const TASK = 0xffff888000002000n;
const TIMER = 0xffff888000001000n;
const NAME = 0xffff888000003000n;
const HANDLER = 0xffffffff8157f8c0n;
const PERCPU_OFFSETS = 0xffffffff82000000n;
const NR_CPU_IDS = 0xffffffff82000100n;
const JIFFIES = 0xffffffff82001000n;

const pages = new Map<bigint, Uint8Array>();
function put(address: bigint, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) {
    const at = address + BigInt(i);
    const base = at & ~0xfffn;
    let page = pages.get(base);
    if (page === undefined) {
      page = new Uint8Array(4096);
      pages.set(base, page);
    }
    page[Number(at - base)] = bytes[i] as number;
  }
}
const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};

// a struct task
const task = new Uint8Array(72);
const view = new DataView(task.buffer);
view.setInt32(0, 1, true);
task[4] = 1 | (20 << 1);
task.set(Buffer.from("sh"), 16);
view.setUint32(32, 1, true);
view.setUint32(36, 3, true);
view.setBigUint64(40, NAME, true);
view.setBigUint64(48, HANDLER, true);
view.setInt32(56, 7, true);
task[68] = 1;
task[69] = 5;
put(TASK, task);
put(NAME, Buffer.from("kmalloc-64\0"));
// a timer_list whose entry.next points at the task
put(TIMER, new Uint8Array(40));
put(TIMER, u64(TASK));
put(TIMER + 16n, u64(4294937296n));
put(TIMER + 24n, u64(HANDLER));
// per-CPU: runqueues at per-CPU offset 0x100 on two CPUs
put(PERCPU_OFFSETS, u64(0xffff888000010000n));
put(PERCPU_OFFSETS + 8n, u64(0xffff888000020000n));
put(NR_CPU_IDS, Uint8Array.of(2, 0, 0, 0));
put(0xffff888000010100n, task);
put(0xffff888000020100n, new Uint8Array(72));
put(JIFFIES, u64(4294937296n));

const memory = new KernelMemory(async (address, length) => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const at = address + BigInt(i);
    const page = pages.get(at & ~0xfffn);
    if (page === undefined)
      throw new CrashlensError("fault", `no page at ${at.toString(16)}`, {
        address: at,
        space: "virtual",
        absent: true,
      });
    out[i] = page[Number(at & 0xfffn)] as number;
  }
  return out;
});

const symbols = new SymbolIndex([
  { name: "runqueues", type: "D", address: 0x100n },
  { name: "call_timer_fn", type: "T", address: 0xffffffff81100000n },
  { name: "neigh_timer_handler", type: "t", address: HANDLER },
  { name: "neigh_next", type: "t", address: HANDLER + 0x200n },
  { name: "__per_cpu_offset", type: "D", address: PERCPU_OFFSETS },
  { name: "nr_cpu_ids", type: "D", address: NR_CPU_IDS },
  { name: "jiffies", type: "D", address: JIFFIES },
  { name: "_end", type: "B", address: JIFFIES + 0x1000n },
]);

const kernel = { btf: async () => btf, memory } as unknown as Kernel;
const settings = defaultSettings();

async function run(command: ShellCommand, line: string): Promise<{ out: string; err: string }> {
  const words = splitWords(line);
  let out = "";
  let err = "";
  const ctx = {
    kernel,
    out: {
      write: (t: string) => {
        out += t;
      },
    },
    err: {
      write: (t: string) => {
        err += t;
      },
    },
    signal: new AbortController().signal,
    settings,
    commands: [],
    symbols: async () => symbols,
  } as unknown as CommandContext;
  try {
    await command.run(ctx, parseArgs(command, words[0] as string, words.slice(1)));
  } catch (error) {
    err += `${words[0]}: ${(error as Error).message}\n`;
  }
  return { out, err };
}

describe("struct and union over BTF", () => {
  it("prints the definition, with offsets, and one member's line", async () => {
    assert.equal(
      (await run(structCommand, "struct -o timer_list")).out,
      [
        "struct timer_list {",
        "   [0] struct list_head entry;",
        "  [16] long unsigned int expires;",
        "  [24] void (*function)(struct timer_list *);",
        "  [32] u32 flags;",
        "}",
        "SIZE: 40",
        "",
      ].join("\n"),
    );
    assert.equal(
      (await run(structCommand, "struct -x timer_list")).out.split("\n").at(-2),
      "SIZE: 0x28",
    );
    assert.equal(
      (await run(structCommand, "struct timer_list.expires")).out,
      "struct timer_list {\n  [16] long unsigned int expires;\n}\n",
    );
  });

  it("prints contents as crash does, pointers symbolized, strings read", async () => {
    assert.equal(
      (await run(structCommand, `struct timer_list ${TIMER.toString(16)}`)).out,
      [
        "struct timer_list {",
        "  entry = {",
        "    next = 0xffff888000002000,",
        "    prev = 0x0",
        "  },",
        "  expires = 4294937296,",
        "  function = 0xffffffff8157f8c0 <neigh_timer_handler>,",
        "  flags = 0",
        "}",
        "",
      ].join("\n"),
    );
    const whole = (await run(structCommand, `struct task ${TASK.toString(16)}`)).out;
    assert.match(whole, /\n {2}name = 0xffff888000003000 "kmalloc-64",\n/);
    assert.match(whole, /\n {2}gfp = \(GFP_A \| GFP_B\),\n/);
    assert.match(whole, /\n {2}level = 5 '\\005'\n\}\n$/);
  });

  it("prints chosen members, consecutive structs, per-CPU instances", async () => {
    assert.equal(
      (await run(structCommand, `struct task.comm,state ${TASK.toString(16)}`)).out,
      `  comm = "sh${"\\000".repeat(13)}",\n  state = 1,\n`,
    );
    assert.equal(
      (await run(structCommand, `struct task.hi ${TASK.toString(16)}`)).out,
      "      hi = 0\n",
    );
    assert.equal(
      (await run(structCommand, "struct task.state runqueues:a")).out,
      "[0]: ffff888000010100\n  state = 1,\n[1]: ffff888000020100\n  state = 0,\n",
    );
    const two = (await run(structCommand, `struct timer_list.flags ${TIMER.toString(16)} 2`)).out;
    assert.equal(two, "  flags = 0\n\n  flags = 0\n");
  });

  it("says what is wrong as crash does", async () => {
    assert.equal(
      (await run(structCommand, "struct nosuch")).err,
      "struct: invalid data structure reference: nosuch\n",
    );
    assert.equal(
      (await run(structCommand, "struct timer_list.nosuch")).err,
      "struct: invalid data structure reference: timer_list.nosuch\n",
    );
    assert.equal(
      (await run(unionCommand, "union timer_list")).err,
      "union: data type mismatch: timer_list is not a union\n",
    );
    assert.match(
      (await run(structCommand, "struct timer_list 1234")).err,
      /invalid kernel virtual address: 1234/,
    );
    assert.match(
      (await run(structCommand, "struct timer_list ffff888000009000")).err,
      /page excluded|invalid kernel virtual address/,
    );
  });

  it("runs a bare type name as struct, a symbol alone as p", async () => {
    const sym = async () => symbols;
    assert.deepEqual(await datatypeCommand(kernel, sym, ["timer_list", "ffff88102ee1fe58"]), [
      "struct",
      "timer_list",
      "ffff88102ee1fe58",
    ]);
    assert.deepEqual(await datatypeCommand(kernel, sym, ["jiffies"]), ["p", "jiffies"]);
    assert.deepEqual(await datatypeCommand(kernel, sym, ["atomic_t"]), ["whatis", "atomic_t"]);
    assert.equal(await datatypeCommand(kernel, sym, ["nosuch"]), undefined);
  });
});

describe("p, whatis, ptype over BTF", () => {
  it("numbers results like gdb and prints casts through pointers", async () => {
    const first = await run(pCommand, `p ((struct timer_list *)0x${TIMER.toString(16)})->function`);
    assert.match(
      first.out,
      /^\$(\d+) = \(void \(\*\)\(struct timer_list \*\)\) 0xffffffff8157f8c0 <neigh_timer_handler>\n$/,
    );
    const n = Number(/^\$(\d+)/.exec(first.out)?.[1]);
    assert.equal((await run(pCommand, "p/x 100")).out, `$${n + 1} = 0x64\n`);
    assert.equal((await run(pCommand, `p $${n + 1}`)).out, `$${n + 2} = 100\n`);
    assert.equal(
      (await run(pCommand, `p ((struct task *)0x${TASK.toString(16)})->comm`)).out,
      `$${n + 3} = "sh${"\\000".repeat(13)}"\n`,
    );
  });

  it("shows per-CPU variables, explains typeless globals", async () => {
    assert.equal(
      (await run(pCommand, "p runqueues")).out,
      "PER-CPU DATA TYPE:\n  struct task runqueues;\nPER-CPU ADDRESSES:\n  [0]: ffff888000010100\n  [1]: ffff888000020100\n",
    );
    assert.match(
      (await run(pCommand, "p runqueues:0")).out,
      /^per_cpu\(runqueues, 0\) = \$\d+ = \{\n {2}state = 1,\n/,
    );
    const jiffies = await run(pCommand, "p jiffies");
    assert.match(jiffies.err, /^p: 'jiffies' has unknown type; cast it to its declared type\n/);
    assert.match(jiffies.err, /p \*\(unsigned long \*\)&jiffies, or read it with rd jiffies/);
    assert.match(
      (await run(pCommand, "p *(unsigned long *)&jiffies")).out,
      /^\$\d+ = 4294937296\n$/,
    );
    assert.match(
      (await run(pCommand, "p *(struct task *)0xffff888000009000")).err,
      /Cannot access memory at address 0xffff888000009000/,
    );
  });

  it("whatis prints prototypes and definitions; ptype gdb's type = lines", async () => {
    assert.equal(
      (await run(whatisCommand, "whatis call_timer_fn")).out,
      "void call_timer_fn(struct timer_list *, void (*)(struct timer_list *), long unsigned int);\n",
    );
    assert.equal((await run(whatisCommand, "whatis runqueues")).out, "struct task runqueues;\n");
    assert.equal(
      (await run(whatisCommand, "whatis atomic_t")).out,
      "typedef struct {\n    int counter;\n} atomic_t;\nSIZE: 4\n",
    );
    assert.equal(
      (await run(whatisCommand, "whatis u32")).out,
      "typedef unsigned int u32;\nSIZE: 4\n",
    );
    assert.equal(
      (await run(ptypeCommand, "ptype struct list_head")).out,
      "type = struct list_head {\n    struct list_head *next;\n    struct list_head *prev;\n}\n",
    );
    assert.equal(
      (await run(ptypeCommand, "ptype call_timer_fn")).out,
      "type = void (struct timer_list *, void (*)(struct timer_list *), long unsigned int)\n",
    );
  });
});
