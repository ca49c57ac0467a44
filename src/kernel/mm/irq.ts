/**
 * @module kernel/mm/irq
 * Interrupt descriptors and their handlers, for crash's `irq`: each IRQ number's
 * `struct irq_desc` and its chain of `struct irqaction`s (name, handler). With
 * CONFIG_SPARSE_IRQ (every distribution kernel) descriptors live in a tree keyed by IRQ
 * number: the `irq_desc_tree` radix tree (an xarray since v4.20), until Linux kernel commit
 * 721255b9826b ("genirq: Use a maple tree for interrupt descriptor management") (in v6.5)
 * replaced it with the `sparse_irqs` maple tree; without it, the static `irq_desc[]` array.
 * (This reader is kernel-wide, not memory management; it sits here by file ownership and
 * belongs in src/kernel/irq.ts.)
 */
import { CrashlensError } from "../../errors.js";
import type { Kernel } from "../kernel.js";
import { mapleEntries, readMapleLayout } from "./maple-tree.js";

/** NR_IRQS can be 524544 on x86-64 (nr_irqs is the live bound, 440 on a small VM) */
const maxIrqs = 1 << 20;
/** a shared line has a handful of actions */
const maxActions = 64;
const maxTreeDepth = 16;

export interface IrqAction {
  address: bigint;
  name: string;
  handler: bigint;
  /** the threaded handler, if any */
  threadFn: bigint;
}

export interface IrqDescriptor {
  irq: number;
  desc: bigint;
  actions: IrqAction[];
}

export interface IrqTable {
  /** nr_irqs: IRQ numbers run 0 .. nrIrqs-1 */
  nrIrqs: number;
  /** descriptors that exist, by IRQ number ascending */
  descriptors: IrqDescriptor[];
  /** how descriptors were found */
  source: "sparse_irqs" | "irq_desc_tree" | "irq_desc";
  notes: string[];
}

const hex = (n: bigint) => n.toString(16);

/**
 * Walks a radix tree / xarray, calling `leaf(index, entry)` for each entry. An xarray
 * (v4.20+) tags internal node pointers with 2 in the low bits (`xa_is_node()`: internal and
 * above 4096); the older radix tree tags them with 1 (RADIX_TREE_INTERNAL_NODE, v4.7+).
 */
async function walkRadix(
  kernel: Kernel,
  head: bigint,
  layout: { shift: number; slots: number; chunk: number; tag: bigint },
  leaf: (index: number, entry: bigint) => void,
  notes: string[],
): Promise<void> {
  const isNode = (e: bigint) =>
    layout.tag === 2n ? (e & 3n) === 2n && e > 4096n : (e & 1n) === 1n;
  const isInternal = (e: bigint) => (layout.tag === 2n ? (e & 3n) === 2n : (e & 1n) === 1n);
  const visit = async (entry: bigint, base: number, depth: number): Promise<void> => {
    if (entry === 0n) return;
    if (!isNode(entry)) {
      // sibling and retry entries are internal but not nodes: skip them
      if (!isInternal(entry)) leaf(base, entry);
      return;
    }
    if (depth > maxTreeDepth) {
      notes.push(`irq_desc_tree is deeper than ${maxTreeDepth} levels at ${hex(entry)}`);
      return;
    }
    const node = entry - layout.tag;
    const shift = await kernel.memory.u8(node + BigInt(layout.shift));
    const slots = await kernel.memory.words(node + BigInt(layout.slots), layout.chunk);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as bigint;
      if (slot !== 0n) await visit(slot, base + i * 2 ** shift, depth + 1);
    }
  };
  await visit(head, 0, 0);
}

async function readActions(kernel: Kernel, first: bigint, notes: string[]): Promise<IrqAction[]> {
  const btf = await kernel.btf();
  const off = (f: string) => btf.offsetof("irqaction", f);
  const next = off("next");
  const name = off("name");
  const handler = off("handler");
  const threadFn = off("thread_fn");
  if (next === undefined || name === undefined || handler === undefined)
    throw new CrashlensError(
      "not-found",
      "BTF has no struct irqaction with next, name and handler",
    );
  const actions: IrqAction[] = [];
  const seen = new Set<bigint>();
  for (let a = first; a !== 0n; ) {
    if (seen.has(a) || actions.length >= maxActions) {
      notes.push(`the irqaction chain loops or runs past ${maxActions} at ${hex(a)}`);
      break;
    }
    seen.add(a);
    const namePointer = await kernel.memory.u64(a + BigInt(name));
    let text = "";
    if (namePointer !== 0n) text = await kernel.memory.cString(namePointer, 64).catch(() => "?");
    actions.push({
      address: a,
      name: text,
      handler: await kernel.memory.u64(a + BigInt(handler)),
      threadFn: threadFn === undefined ? 0n : await kernel.memory.u64(a + BigInt(threadFn)),
    });
    a = await kernel.memory.u64(a + BigInt(next));
  }
  return actions;
}

/** Reads every interrupt descriptor and its actions. */
export async function readIrqTable(kernel: Kernel): Promise<IrqTable> {
  const symbols = await kernel.symbols();
  const btf = await kernel.btf();
  const notes: string[] = [];
  const nrAt = symbols.lookup("nr_irqs")?.address;
  let nrIrqs = nrAt === undefined ? 0 : await kernel.memory.u32(nrAt);
  if (nrIrqs > maxIrqs) {
    notes.push(`nr_irqs is ${nrIrqs}; only the first ${maxIrqs} are read`);
    nrIrqs = maxIrqs;
  }
  const actionOffset = btf.offsetof("irq_desc", "action");
  if (actionOffset === undefined)
    throw new CrashlensError("not-found", "BTF has no irq_desc.action");
  const found: { irq: number; desc: bigint }[] = [];
  let source: IrqTable["source"];
  const tree = symbols.lookup("irq_desc_tree")?.address;
  const array = symbols.lookup("irq_desc")?.address;
  const maple = symbols.lookup("sparse_irqs")?.address;
  if (maple !== undefined) {
    source = "sparse_irqs";
    const layout = await readMapleLayout(kernel);
    for (const { first, last, entry } of await mapleEntries(kernel, maple, layout, {
      maxEntries: maxIrqs,
      notes,
    })) {
      // one descriptor per IRQ number: a range would be a damaged tree
      if (first !== last)
        notes.push(`sparse_irqs maps IRQs ${first}-${last} to one entry ${hex(entry)}`);
      found.push({ irq: Number(first), desc: entry });
    }
  } else if (tree !== undefined) {
    source = "irq_desc_tree";
    const head = btf.offsetof("xarray", "xa_head");
    const rnode = btf.offsetof("radix_tree_root", "rnode");
    const xa = head !== undefined;
    const nodeType = xa ? "xa_node" : "radix_tree_node";
    const shift = btf.offsetof(nodeType, "shift");
    const slots = btf.offsetof(nodeType, "slots");
    const slotsMember = btf.find(`struct ${nodeType}`);
    const slotsArray =
      slotsMember === undefined ? undefined : btf.memberPath(slotsMember.id, "slots");
    const chunk = slotsArray === undefined ? undefined : btf.resolve(slotsArray.type).array?.nelems;
    const rootOffset = head ?? rnode;
    if (
      rootOffset === undefined ||
      shift === undefined ||
      slots === undefined ||
      chunk === undefined
    )
      throw new CrashlensError("not-found", `BTF does not describe ${nodeType} (shift, slots)`);
    const root = await kernel.memory.u64(tree + BigInt(rootOffset));
    await walkRadix(
      kernel,
      root,
      { shift, slots, chunk, tag: xa ? 2n : 1n },
      (irq, desc) => found.push({ irq, desc }),
      notes,
    );
  } else if (array !== undefined) {
    source = "irq_desc";
    const size = btf.find("struct irq_desc")?.size;
    if (size === undefined) throw new CrashlensError("not-found", "BTF has no struct irq_desc");
    for (let irq = 0; irq < nrIrqs; irq++) found.push({ irq, desc: array + BigInt(irq * size) });
  } else {
    throw new CrashlensError(
      "not-found",
      "neither sparse_irqs, irq_desc_tree nor irq_desc is in kallsyms: IRQ descriptors cannot be found",
    );
  }
  found.sort((a, b) => a.irq - b.irq);
  const descriptors: IrqDescriptor[] = [];
  for (const { irq, desc } of found) {
    if (nrIrqs > 0 && irq >= nrIrqs) continue;
    try {
      const first = await kernel.memory.u64(desc + BigInt(actionOffset));
      descriptors.push({ irq, desc, actions: await readActions(kernel, first, notes) });
    } catch (error) {
      notes.push(`irq ${irq}: descriptor ${hex(desc)} cannot be read: ${(error as Error).message}`);
      descriptors.push({ irq, desc, actions: [] });
    }
  }
  return { nrIrqs: nrIrqs || (found.at(-1)?.irq ?? -1) + 1, descriptors, source, notes };
}
