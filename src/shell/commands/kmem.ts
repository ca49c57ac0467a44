/**
 * @module shell/commands/kmem
 * `kmem`: crash's kernel memory command, over SLUB and the memmap read from the dump
 * (src/kernel/mm): `kmem ADDR` (the slab cache, slab and object an address is in, free or
 * allocated, then its `struct page`), `kmem -s [name]`, `kmem -S name`, `kmem -i`,
 * `kmem -o` and `kmem -p [addr]`, in crash's column layouts.
 */
import { isCrashlensError } from "../../errors.js";
import type { Kernel } from "../../kernel/kernel.js";
import { type MemInfo, readMemInfo } from "../../kernel/mm/meminfo.js";
import { type MemMap, type PageInfo, readMemMap } from "../../kernel/mm/pages.js";
import { type SlabObjectInfo, slabInfo } from "../../kernel/mm/slab.js";
import {
  cacheSlabs,
  type SlabCacheUsage,
  slabCaches,
  slabCacheUsage,
} from "../../kernel/mm/slab-caches.js";
import { findVmapArea, readVmapAreas, type VmapArea } from "../../kernel/mm/vmap.js";
import { type FreeBlock, findFreeBlock } from "../../kernel/mm/zones.js";
import { cpuTopology } from "../../kernel/percpu.js";
import { taskTable } from "../../kernel/tasks/index.js";
import { resolveAddress } from "../address.js";
import {
  type CommandContext,
  type ShellCommand,
  ShellCommandError,
  ShellUsageError,
} from "../command.js";
import { parseHexAddress } from "../expression.js";
import { formatTaskBlock } from "../format/task-context.js";

const hex = (n: bigint) => n.toString(16);
const pad = (v: number | string | undefined, width: number) => String(v ?? "-").padStart(width);

export const CACHE_HEADER = "CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME";
export const SLAB_HEADER = "  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE";

/** one `kmem -s` row: crash's `%-16lx %8ld  %9ld %9ld %6ld %5ldk  %s` */
export function formatCacheRow(u: SlabCacheUsage): string {
  return `${hex(u.cache.address).padEnd(16)} ${pad(u.cache.objectSize, 8)}  ${pad(u.allocated, 9)} ${pad(u.total, 9)} ${pad(u.slabs, 6)} ${pad(u.slabSize / 1024, 5)}k  ${u.cache.name}`;
}

/** the slab row under SLAB_HEADER */
export function formatSlabRow(info: SlabObjectInfo): string {
  const s = info.slab;
  const allocated = s.free === undefined ? undefined : s.objects - s.free;
  return `  ${hex(s.page).padEnd(16)}  ${hex(s.memory).padEnd(16)} ${pad(s.node, 5)} ${pad(s.objects, 6)} ${pad(allocated, 10)} ${pad(s.free, 5)}`;
}

/** `   ffff…` for a free object, `  [ffff…]` for an allocated one, crash's cpu note */
export function formatObject(info: SlabObjectInfo, start: bigint): string {
  const free = info.freeObjects.find((f) => f.address === start);
  if (free !== undefined)
    return `   ${hex(start)}${free.cpu === undefined ? "" : `  (cpu ${free.cpu} cache)`}`;
  if (info.slab.free === undefined) return `   ${hex(start)}  (state unknown)`;
  return `  [${hex(start)}]`;
}

export const VMAP_HEADER =
  "   VMAP_AREA         VM_STRUCT                 ADDRESS RANGE                SIZE";

/** `ffff…  ffff…  start - end     size`, crash's vmap area row */
export function formatVmapRow(area: VmapArea): string {
  return `${hex(area.area).padStart(16, "0")}  ${hex(area.vm).padStart(16, "0")}  ${hex(area.start)} - ${hex(area.end)} ${pad(Number(area.end - area.start), 8)}`;
}

/** crash's page table header; PHYSICAL is as wide as the largest physical address */
export function pageHeader(physWidth: number): string {
  return `      PAGE      ${" "}${"PHYSICAL".padStart(physWidth)}      MAPPING       INDEX CNT FLAGS`;
}

export function formatPageRow(mem: MemMap, page: PageInfo, physWidth: number): string {
  const phys = page.pfn < 0n ? "?" : hex(page.pfn << BigInt(mem.layout.pageShift));
  const names = mem.flagNames(page.flags);
  return `${hex(page.address).padEnd(16)} ${phys.padStart(physWidth)} ${hex(page.mapping).padStart(16)} ${hex(page.index).padStart(8)} ${String(page.refcount).padStart(2)} ${hex(page.flags)}${names.length > 0 ? ` ${names.join(",")}` : ""}`;
}

function physWidth(kernel: Kernel): number {
  const end = kernel.dump.ranges().reduce((max, r) => (r.end > max ? r.end : max), 0n);
  return Math.max(8, hex(end > 0n ? end - 1n : 0n).length);
}

/** `pages_to_size()`: `7.5 GB`, `932.4 MB`, `512 KB`, `0`, with `.0` dropped */
export function pagesToSize(pages: number, pageSize: number): string {
  if (pages === 0) return "0";
  const bytes = pages * pageSize;
  const text =
    bytes >= 2 ** 30
      ? `${(bytes / 2 ** 30).toFixed(1)} GB`
      : bytes >= 2 ** 20
        ? `${(bytes / 2 ** 20).toFixed(1)} MB`
        : `${Math.floor(bytes / 1024)} KB`;
  return text.replace(".0 ", " ");
}

async function writeSlabObject(
  ctx: CommandContext,
  info: SlabObjectInfo,
  all: boolean,
): Promise<void> {
  const usage = await slabCacheUsage(ctx.kernel, info.cache);
  const lines = [
    CACHE_HEADER,
    formatCacheRow(usage),
    SLAB_HEADER,
    formatSlabRow(info),
    "  FREE / [ALLOCATED]",
  ];
  if (all) {
    const first = info.slab.firstObject;
    for (let i = 0; i < info.slab.objects; i++)
      lines.push(formatObject(info, first + BigInt(i * info.cache.size)));
  } else if (info.object !== undefined) lines.push(formatObject(info, info.object.start));
  ctx.out.write(`${lines.join("\n")}\n`);
  if (info.corrupt !== undefined) ctx.err.write(`kmem: ${info.cache.name}: ${info.corrupt}\n`);
  else if (info.state === "unknown" && info.object !== undefined)
    ctx.err.write(`kmem: ${info.cache.name}: ${info.evidence.at(-1) ?? "state unknown"}\n`);
}

/** the struct page of a physical address, or of a page-struct address itself */
async function pageOf(mem: MemMap, pa: bigint): Promise<PageInfo> {
  return mem.readPage(await mem.pfnToPage(pa >> BigInt(mem.layout.pageShift)));
}

async function kmemAddress(ctx: CommandContext, address: bigint): Promise<void> {
  const kernel = ctx.kernel;
  const mem = await readMemMap(kernel);
  const region = mem.classify(address);
  let info: SlabObjectInfo | undefined;
  if (region.kind === "direct-map" || region.kind === "per-cpu")
    info = await slabInfo(kernel, address);
  if (info !== undefined) {
    await writeSlabObject(ctx, info, false);
    ctx.out.write("\n");
  }
  if (region.kind === "kernel-image") {
    // crash names the symbol first: `ffffffff9a21aa40 (D) init_task`
    const symbols = await kernel.symbols();
    const near = symbols.symbolize(address);
    const type = near === undefined ? undefined : symbols.lookup(near.name)?.type;
    if (near !== undefined && type !== undefined)
      ctx.out.write(
        `${hex(address)} (${type}) ${near.name}${near.offset > 0 ? `+0x${near.offset.toString(16)}` : ""}\n\n`,
      );
  }
  if (region.kind === "vmalloc" || region.kind === "module") {
    const area = await findVmapArea(kernel, address);
    if (area !== undefined) {
      const owner = (await taskTable(kernel).catch(() => undefined))?.tasks.find(
        (t) => t.stack === area.start,
      );
      if (owner !== undefined)
        ctx.out.write(
          `${formatTaskBlock(owner, owner.active && owner.cpu === kernel.view.panicCpuVariable).join("\n")}\n\n`,
        );
      ctx.out.write(`${VMAP_HEADER}\n${formatVmapRow(area)}\n\n`);
    }
  }
  let pa: bigint | undefined = mem.directToPhys(address);
  if (pa === undefined && mem.pageToPfn(address & ~63n) !== undefined) {
    // a struct page address: describe that page
    const page = await mem.readPage(address - (address % BigInt(mem.layout.structPageSize)));
    ctx.out.write(
      `${pageHeader(physWidth(kernel))}\n${formatPageRow(mem, page, physWidth(kernel))}\n`,
    );
    return;
  }
  if (pa === undefined) {
    try {
      pa = await kernel.view.translate(address);
    } catch (error) {
      if (!isCrashlensError(error)) throw error;
      throw new ShellCommandError(
        `${hex(address)}: ${region.kind} address is not mapped (${error.message})`,
      );
    }
  }
  const page = await pageOf(mem, pa);
  const width = physWidth(kernel);
  if (info === undefined) {
    const pfn = pa >> BigInt(mem.layout.pageShift);
    const block = await findFreeBlock(kernel, pfn).catch(() => undefined);
    if (block !== undefined)
      ctx.out.write(`${(await formatFreeBlock(mem, block, pfn)).join("\n")}\n\n`);
  }
  ctx.out.write(`${pageHeader(width)}\n${formatPageRow(mem, page, width)}\n`);
}

const ordinal = (n: bigint) => {
  const tens = n % 100n;
  const suffix =
    tens >= 11n && tens <= 13n ? "th" : (["th", "st", "nd", "rd"][Number(n % 10n)] ?? "th");
  return `${n}${suffix}`;
};

/** crash's block for a page in a free buddy block: its zone, its free area, its place */
export async function formatFreeBlock(
  mem: MemMap,
  block: FreeBlock,
  pfn: bigint,
): Promise<string[]> {
  const z = block.zone;
  const pageSize = 1n << BigInt(mem.layout.pageShift);
  const memMap = await mem.pfnToPage(z.startPfn);
  return [
    "ZONE  NAME        SIZE    FREE      MEM_MAP       START_PADDR  START_MAPNR",
    `${pad(z.index, 3)}   ${z.name.padEnd(8)}${pad(String(z.spannedPages), 10)}${pad(String(z.freePages), 9)}  ${hex(memMap).padStart(16, "0")}${pad(hex(z.startPfn * pageSize), 12)}${pad(String(z.startPfn), 12)}  `,
    "AREA    SIZE  FREE_AREA_STRUCT",
    `${pad(block.order, 3)}${pad(`${(Number(pageSize) << block.order) / 1024}k`, 9)}  ${hex(block.freeArea)}  `,
    `${hex(block.headPage)}  (${hex(mem.physToDirect(pfn * pageSize))} is ${ordinal(pfn - block.headPfn + 1n)} of ${1 << block.order} page${block.order === 0 ? "" : "s"})`,
  ];
}

async function kmemSlabs(
  ctx: CommandContext,
  names: readonly string[],
  perSlab: boolean,
): Promise<void> {
  const filter = names.length === 0 ? undefined : (name: string) => names.includes(name);
  const { caches, notes } = await slabCaches(ctx.kernel, filter);
  for (const note of notes) ctx.err.write(`kmem: ${note}\n`);
  if (names.length > 0 && caches.length === 0)
    throw new ShellCommandError(`invalid kmem_cache name: ${names.join(" ")}`);
  if (!perSlab) {
    ctx.out.write(`${[CACHE_HEADER, ...caches.map(formatCacheRow)].join("\n")}\n`);
    for (const u of caches)
      for (const note of u.notes) ctx.err.write(`kmem: ${u.cache.name}: ${note}\n`);
    return;
  }
  for (const usage of caches) {
    if (ctx.signal.aborted) return;
    ctx.out.write(`${CACHE_HEADER}\n${formatCacheRow(usage)}\n`);
    const { slabs, notes: slabNotes } = await cacheSlabs(ctx.kernel, usage.cache);
    for (const note of slabNotes) ctx.err.write(`kmem: ${usage.cache.name}: ${note}\n`);
    const mem = await readMemMap(ctx.kernel);
    for (const { page } of slabs) {
      const pfn = mem.pageToPfn(page);
      if (pfn === undefined) continue;
      const info = await slabInfo(
        ctx.kernel,
        mem.physToDirect(pfn << BigInt(mem.layout.pageShift)),
      );
      if (info === undefined) continue;
      const lines = [SLAB_HEADER, formatSlabRow(info), "  FREE / [ALLOCATED]"];
      for (let i = 0; i < info.slab.objects; i++)
        lines.push(formatObject(info, info.slab.firstObject + BigInt(i * info.cache.size)));
      ctx.out.write(`${lines.join("\n")}\n`);
      if (info.corrupt !== undefined) ctx.err.write(`kmem: ${usage.cache.name}: ${info.corrupt}\n`);
    }
  }
}

/** crash's `kmem -i` table for a memory summary */
export function formatMemInfo(m: MemInfo): string[] {
  const size = (pages: number | undefined) =>
    pages === undefined ? "?" : pagesToSize(pages, m.pageSize);
  const num = (pages: number | undefined) => (pages === undefined ? "?" : String(pages));
  const pct = (part: number | undefined, whole: number | undefined) =>
    part === undefined || whole === undefined || whole === 0 ? 0 : Math.floor((part * 100) / whole);
  const head = (label: string, pages: number | undefined) =>
    `${label.padStart(13)}  ${num(pages).padStart(7)}  ${size(pages).padStart(11)}         ----`;
  const row = (label: string, pages: number | undefined, whole: number | undefined, of: string) =>
    `${label.padStart(13)}  ${num(pages).padStart(7)}  ${size(pages).padStart(11)}  ${String(pct(pages, whole)).padStart(3)}% of ${of}`;
  const used = m.totalRam !== undefined && m.free !== undefined ? m.totalRam - m.free : undefined;
  const swapUsed =
    m.swapTotal !== undefined && m.swapFree !== undefined ? m.swapTotal - m.swapFree : undefined;
  const lines = [
    "                 PAGES        TOTAL      PERCENTAGE",
    head("TOTAL MEM", m.totalRam),
    row("FREE", m.free, m.totalRam, "TOTAL MEM"),
    row("USED", used, m.totalRam, "TOTAL MEM"),
    row("SHARED", m.shared, m.totalRam, "TOTAL MEM"),
    row("BUFFERS", m.buffers, m.totalRam, "TOTAL MEM"),
    row("CACHED", m.cached, m.totalRam, "TOTAL MEM"),
    row("SLAB", m.slab, m.totalRam, "TOTAL MEM"),
    "",
    head("TOTAL HUGE", m.hugeTotal),
    row("HUGE FREE", m.hugeFree, m.hugeTotal, "TOTAL HUGE"),
    "",
    head("TOTAL SWAP", m.swapTotal),
    row("SWAP USED", swapUsed, m.swapTotal, "TOTAL SWAP"),
    row("SWAP FREE", m.swapFree, m.swapTotal, "TOTAL SWAP"),
    "",
    head("COMMIT LIMIT", m.commitLimit),
    row("COMMITTED", m.committed, m.commitLimit, "TOTAL LIMIT"),
  ];
  return lines;
}

async function kmemInfo(ctx: CommandContext): Promise<void> {
  const m = await readMemInfo(ctx.kernel);
  const lines = formatMemInfo(m);
  ctx.out.write(`${lines.join("\n")}\n`);
  for (const note of m.notes) ctx.err.write(`kmem: ${note}\n`);
}

async function kmemOffsets(ctx: CommandContext): Promise<void> {
  const { offsets, possible } = await cpuTopology(ctx.kernel);
  const lines = ["PER-CPU OFFSET VALUES:"];
  for (const cpu of possible) {
    const offset = offsets[cpu];
    lines.push(`  CPU ${cpu}: ${offset === undefined ? "(unreadable)" : hex(offset)}`);
  }
  ctx.out.write(`${lines.join("\n")}\n`);
}

async function kmemPage(ctx: CommandContext, words: readonly string[]): Promise<void> {
  const mem = await readMemMap(ctx.kernel);
  const width = physWidth(ctx.kernel);
  const lines = [pageHeader(width)];
  for (const word of words) {
    const { address } = await resolveAddress(ctx, word);
    // crash: a struct page address or a physical address
    const page =
      mem.pageToPfn(address) !== undefined
        ? await mem.readPage(address)
        : await pageOf(mem, address);
    lines.push(formatPageRow(mem, page, width));
  }
  ctx.out.write(`${lines.join("\n")}\n`);
}

/** pages per read of the memmap: 64 struct pages are one 4 KiB page of vmemmap */
const PAGE_BATCH = 64;

/** `kmem -p`: every page frame up to max_pfn, streamed, stoppable with Ctrl-C */
async function kmemAllPages(ctx: CommandContext): Promise<void> {
  const mem = await readMemMap(ctx.kernel);
  const at = (await ctx.kernel.symbols()).lookup("max_pfn")?.address;
  if (at === undefined)
    throw new ShellCommandError("max_pfn is not in kallsyms: the memmap's end is unknown");
  const maxPfn = await ctx.kernel.memory.u64(at);
  const width = physWidth(ctx.kernel);
  ctx.out.write(`${pageHeader(width)}\n`);
  for (let pfn = 0n; pfn < maxPfn && !ctx.signal.aborted; pfn += BigInt(PAGE_BATCH)) {
    const count = Number(maxPfn - pfn < BigInt(PAGE_BATCH) ? maxPfn - pfn : BigInt(PAGE_BATCH));
    const pages = await mem.readPageRange(pfn, count);
    if (pages.length > 0)
      ctx.out.write(`${pages.map((p) => formatPageRow(mem, p, width)).join("\n")}\n`);
  }
}

export const kmemCommand: ShellCommand = {
  name: "kmem",
  summary: "kernel memory",
  usage: "[-s|-S] [-i] [-o] [-p] [-v] [name | address ...]",
  options: [
    { flag: "s", description: "slab caches: objects allocated and in total, slabs, slab size" },
    {
      flag: "S",
      description:
        "as -s, then every slab of the named caches with each object, free or [allocated]",
    },
    {
      flag: "i",
      description:
        "memory usage summary (total, free, used, shared, buffers, cached, slab, huge pages, swap, commit)",
    },
    { flag: "o", description: "each CPU's per-CPU offset (__per_cpu_offset)" },
    { flag: "v", description: "the vmalloc areas (vmap_area_list): area, vm_struct, range, size" },
    {
      flag: "p",
      description:
        "the struct page of each address given (a struct page or physical address), or of every page frame",
    },
  ],
  help: `With an address, finds what holds it. For a slab object: the cache (as -s shows it),
the slab (its struct slab, memory, node, objects in total, allocated and free) and the object,
in brackets when allocated, plain when free (with the CPU whose lockless free list holds it).
For a page the buddy allocator holds free: its zone, free area and place in the free block.
For a vmalloc or module address: its vmap area (and, for a kernel stack, the task). For a
kernel-image address: its symbol. Then the struct page of the address's page.
Free objects are those on the slab's free list and, for a CPU's current slab, that CPU's
lockless free list; hardened free pointers are decoded. A free list that loops or points
outside its slab is reported: it is itself a sign of a use-after-free or double free.
Only SLUB (every distribution kernel) is read; KFENCE objects take their state from KFENCE.
Counts come from the kernel's own counters (CONFIG_SLUB_DEBUG's per-node slab and object
counts); without them totals are not known and are printed as "-". ALLOCATED is TOTAL less
the free objects on the partial, per-CPU partial and CPU slabs (full slabs have none).
-S lists the slabs SLUB keeps on lists; full slabs are on none unless the cache records
owners (slub_debug=U), so their count is given instead.
-i reads the kernel's counters: TOTAL MEM is _totalram_pages, FREE NR_FREE_PAGES, SHARED
(as crash counts it) the pages not reserved whose page count is above 1, BUFFERS the
block-device page cache, CACHED NR_FILE_PAGES less swap cache and buffers, SLAB the
reclaimable and unreclaimable slab pages, COMMITTED vm_committed_as.`,
  examples: `crashlens> kmem ffff8bec42af2124
CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME
ffff8bec411b7500     8328         55        69     23    32k  task_struct
  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE
  fffff7f8400abc00  ffff8bec42af0000     0      3          2     1
  FREE / [ALLOCATED]
  [ffff8bec42af20c0]

      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS
fffff7f8400abc80  2af2000 dead000000000400        0  0 fffffc0000000

crashlens> kmem -o
PER-CPU OFFSET VALUES:
  CPU 0: ffff8bec4f800000
  CPU 1: ffff8bec4f900000`,
  async run(ctx, args) {
    const flags = ["s", "S", "i", "o", "p", "v"].filter((f) => args.has(f));
    if (flags.length > 1 && !(flags.length === 2 && args.has("s") && args.has("S")))
      throw new ShellUsageError("only one of -s, -S, -i, -o, -p, -v at a time");
    if (args.has("i")) return kmemInfo(ctx);
    if (args.has("o")) return kmemOffsets(ctx);
    if (args.has("v")) {
      const { areas, notes } = await readVmapAreas(ctx.kernel);
      ctx.out.write(`${[VMAP_HEADER, ...areas.map(formatVmapRow)].join("\n")}\n`);
      for (const note of notes) ctx.err.write(`kmem: ${note}\n`);
      return;
    }
    if (args.has("s") || args.has("S")) {
      if (args.has("S") && args.positional.length === 0)
        throw new ShellUsageError(
          "-S needs a cache name (listing every object of every cache is not supported)",
        );
      // crash: `kmem -s ADDR` shows the cache, slab and object of an address
      const addresses = args.positional.map((w) =>
        /^(0x)?[0-9a-f]{9,16}$/i.test(w) ? parseHexAddress(w) : undefined,
      );
      if (args.positional.length > 0 && addresses.every((a) => a !== undefined)) {
        for (const address of addresses as bigint[]) {
          const info = await slabInfo(ctx.kernel, address);
          if (info === undefined)
            throw new ShellCommandError(
              `address is not allocated in slab subsystem: ${hex(address)}`,
            );
          await writeSlabObject(ctx, info, args.has("S"));
        }
        return;
      }
      return kmemSlabs(ctx, args.positional, args.has("S"));
    }
    if (args.has("p"))
      return args.positional.length === 0 ? kmemAllPages(ctx) : kmemPage(ctx, args.positional);
    if (args.positional.length === 0) throw new ShellUsageError("");
    for (const word of args.positional) {
      if (ctx.signal.aborted) return;
      const { address } = await resolveAddress(ctx, word);
      await kmemAddress(ctx, address);
    }
  },
};
