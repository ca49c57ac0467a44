/**
 * Our BTF reader against pahole (dwarves), on the lab's real vmlinux BTF read out of a dump:
 * for the structs the shell and the diagnosis lean on plus a deterministic sample of every
 * other struct and union, every member pahole prints (anonymous structs and unions written
 * out, as pahole does) must have the same name, byte offset, size and bitfield position, and
 * each type the same size.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { labDumps } from "../../../test/writers/lab.js";
import { Kernel } from "../kernel.js";
import { Btf, type BtfType } from "./btf.js";

/** the structs crashlens reads by name, checked whatever the sample picks */
const NAMED = [
  "task_struct",
  "timer_list",
  "module",
  "kmem_cache",
  "slab",
  "page",
  "sk_buff",
  "rq",
  "cfs_rq",
  "mm_struct",
  "vm_area_struct",
  "file",
  "inode",
  "dentry",
  "super_block",
  "list_head",
  "hlist_node",
  "mutex",
  "rw_semaphore",
  "spinlock",
  "raw_spinlock",
  "sock",
  "net_device",
  "pid",
  "signal_struct",
  "sighand_struct",
  "thread_struct",
  "pt_regs",
  "worker",
  "work_struct",
  "delayed_work",
  "hrtimer",
  "completion",
  "wait_queue_head",
  "cred",
  "files_struct",
  "fdtable",
  "nsproxy",
  "kobject",
  "device",
  "bio",
  "request",
  "request_queue",
  "zone",
  "pglist_data",
  "printk_ringbuffer",
  "prb_desc",
  "printk_info",
  "kernel_symbol",
  "mod_kallsyms",
  "irq_desc",
  "irqaction",
  "sched_entity",
  "sched_class",
  "task_group",
  "css_set",
  "cgroup",
  "percpu_ref",
  "lruvec",
  "address_space",
  "folio",
  "kmem_cache_cpu",
  "kmem_cache_node",
  "vmap_area",
  "vm_struct",
  "callback_head",
  "rcu_head",
  "rb_node",
  "rb_root",
  "xarray",
  "maple_tree",
  "neighbour",
  "sk_buff_head",
  "sock_common",
  "socket",
  "net",
  "tcp_sock",
  "inet_sock",
];
/** how many other types to sample (PAHOLE_SAMPLE=100000 compares them all) */
const SAMPLE = Number(process.env.PAHOLE_SAMPLE ?? 240);

interface Row {
  /** "" for an anonymous struct/union member (pahole's `};` line) */
  name: string;
  offset: number;
  size: number;
  /** bit position inside the byte at `offset` for pahole's storage unit; absolute below */
  bit?: number;
  bits?: number;
}

/** pahole's member lines: `type name; /* offset size *\/`, `name:3; /* offset: bit size *\/` */
function parsePahole(text: string): Map<string, { size: number; rows: Row[] }> {
  const out = new Map<string, { size: number; rows: Row[] }>();
  let current: { name: string; size: number; rows: Row[] } | undefined;
  for (const line of text.split("\n")) {
    const head = /^(struct|union) (\S+) \{$/.exec(line);
    if (head) {
      current = { name: head[2] as string, size: -1, rows: [] };
      out.set(current.name, current);
      continue;
    }
    if (current === undefined) continue;
    const size = /\/\* size: (\d+),/.exec(line);
    if (size) {
      current.size = Number(size[1]);
      continue;
    }
    const m = /^\s*(.*?)\s*\/\*\s*(\d+)(?::\s*(\d+))?\s+(\d+)\s*\*\/\s*$/.exec(line);
    if (!m || (m[1] as string).startsWith("/*")) continue;
    let decl = (m[1] as string)
      .replace(/\s*__attribute__\(\(.*\)\)/, "")
      .replace(/;$/, "")
      .trim();
    const row: Row = { name: "", offset: Number(m[2]), size: Number(m[4]) };
    const bitfield = /:\s*(\d+)$/.exec(decl);
    if (bitfield) {
      row.bits = Number(bitfield[1]);
      row.bit = Number(m[3] ?? 0);
      decl = decl.slice(0, bitfield.index).trim();
    }
    const fn = /\(\*+\s*(\w+)\)/.exec(decl);
    if (fn) row.name = fn[1] as string;
    else if (decl.startsWith("}")) row.name = /^}[\s*]*(\w*)/.exec(decl)?.[1] ?? "";
    else row.name = /(\w+)(\[\d*\])*$/.exec(decl)?.[1] ?? "";
    current.rows.push(row);
  }
  return out;
}

/** the same rows from our reader: anonymous aggregate members written out, then closed */
function ourRows(btf: Btf, type: BtfType, base: number, rows: Row[], depth = 0): void {
  for (const m of type.members ?? []) {
    // pahole writes out a member's anonymous struct or union, also as an array's element or a
    // pointer's target (then with offsets inside the target)
    let target = btf.type(m.type);
    let pointer = false;
    for (
      let i = 0;
      i < 8 && ["const", "volatile", "restrict", "type_tag", "array", "ptr"].includes(target.kind);
      i++
    ) {
      pointer ||= target.kind === "ptr";
      target = btf.type((target.kind === "array" ? target.array?.type : target.type) ?? 0);
    }
    const absolute = base + m.bitOffset;
    const size = btf.sizeof(m.type) ?? 0;
    if ((target.kind === "struct" || target.kind === "union") && target.name === "" && depth < 16) {
      ourRows(btf, target, pointer ? 0 : absolute, rows, depth + 1);
      rows.push({ name: m.name, offset: Math.floor(absolute / 8), size });
      continue;
    }
    if (m.bitSize > 0) {
      // pahole names the storage unit: the type-sized, type-aligned bytes holding the field
      const unit = Math.floor(absolute / (size * 8)) * size;
      rows.push({ name: m.name, offset: unit, size, bit: absolute - unit * 8, bits: m.bitSize });
    } else rows.push({ name: m.name, offset: Math.floor(absolute / 8), size });
  }
}

describe("BTF reader against pahole -F btf on the lab's vmlinux BTF", () => {
  let dir = "";
  let file = "";
  let btf: Btf;

  before(async () => {
    const kernel = await Kernel.open(join(labDumps(), "hung.kdump-zlib"));
    try {
      const symbols = await kernel.symbols();
      const start = symbols.lookup("__start_BTF")?.address as bigint;
      const stop = symbols.lookup("__stop_BTF")?.address as bigint;
      const bytes = await kernel.memory.read(start, Number(stop - start));
      dir = mkdtempSync(join(tmpdir(), "crashlens-pahole-"));
      file = join(dir, "vmlinux.btf");
      writeFileSync(file, bytes);
      btf = Btf.parse(bytes);
      assert.equal(btf.count, (await kernel.btf()).count);
    } finally {
      await kernel.close();
    }
  });
  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("matches every member's offset, size and bits, and every size, for ≥ 200 types", () => {
    // `-C NAME` shows only the typedef when a typedef shares the struct's name
    // (`typedef struct mac_addr mac_addr;`), so those are left out
    const typedefs = new Set(btf.typeNames(new Set(["typedef"])));
    const all = [...btf.typeNames(new Set(["struct", "union"]))]
      .filter((n) => !typedefs.has(n))
      .sort();
    const step = Math.max(1, Math.floor(all.length / SAMPLE));
    const names = [
      ...new Set([
        ...NAMED.filter((n) => all.includes(n)),
        ...all.filter((_, i) => i % step === 0),
      ]),
    ];
    // one pahole per 1000 names (an argument may not exceed 128 KiB)
    const pahole = new Map<string, { size: number; rows: Row[] }>();
    for (let i = 0; i < names.length; i += 1000) {
      const text = execFileSync(
        "pahole",
        ["-F", "btf", file, "-C", names.slice(i, i + 1000).join(",")],
        {
          encoding: "utf8",
          maxBuffer: 256 << 20,
        },
      );
      for (const [name, layout] of parsePahole(text)) pahole.set(name, layout);
    }
    let types = 0;
    let members = 0;
    const mismatches: string[] = [];
    for (const name of names) {
      const theirs = pahole.get(name);
      const ours = btf.find(`struct ${name}`) ?? btf.find(`union ${name}`);
      if (theirs === undefined || ours === undefined) {
        mismatches.push(`${name}: ${theirs === undefined ? "pahole" : "we"} printed nothing`);
        continue;
      }
      types++;
      // pahole prints no size line for unions
      if (theirs.size >= 0 && theirs.size !== (btf.sizeof(ours.id) ?? -1))
        mismatches.push(`${name}: size ${btf.sizeof(ours.id)} vs pahole ${theirs.size}`);
      const rows: Row[] = [];
      ourRows(btf, ours, 0, rows);
      if (rows.length !== theirs.rows.length) {
        mismatches.push(`${name}: ${rows.length} members vs pahole ${theirs.rows.length}`);
        continue;
      }
      rows.forEach((row, i) => {
        members++;
        const other = theirs.rows[i] as Row;
        const key = (r: Row) => [r.name, r.offset, r.size, r.bit ?? "-", r.bits ?? "-"].join(" ");
        if (key(row) !== key(other))
          mismatches.push(`${name} #${i}: ours ${key(row)}, pahole ${key(other)}`);
      });
    }
    console.log(
      `pahole: ${types} types, ${members} members compared, ${mismatches.length} mismatches`,
    );
    assert.ok(types >= 200, `only ${types} types compared`);
    assert.deepEqual(mismatches, []);
  });
});
