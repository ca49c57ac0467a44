/**
 * @module shell/commands/rd
 * `rd`: memory as crash prints it — an address column right-aligned to 16, then 64-, 32-, 16-
 * or 8-bit values (two, four, eight or sixteen to a line) and the ASCII column, or decimal,
 * symbolic (`-s`) or ASCII string (`-a`) forms. A page the dump lacks stops the display
 * with crash's message after the lines read before it.
 */

import { writeFile } from "node:fs/promises";
import { parseCount, resolveAddress } from "../address.js";
import { checkpoint } from "../cancel.js";
import {
  type CommandContext,
  type ShellCommand,
  ShellCommandError,
  ShellUsageError,
} from "../command.js";
import { type AddressSpace, readMemory } from "../memory.js";
import { formatOffset } from "../settings.js";
import type { SymbolIndex } from "../symbol-index.js";

type Format = "hex" | "signed" | "unsigned";

interface Layout {
  /** bytes per value */
  size: 1 | 2 | 4 | 8;
  format: Format;
  symbolic: boolean;
  ascii: boolean;
  netEndian: boolean;
}

/** values per line and their width in hexadecimal, by size */
const PER_LINE = { 1: 16, 2: 8, 4: 4, 8: 2 } as const;
/** printf widths of crash's decimal forms (`%15ld`, `%20lu`, `%12d`, `%5d`, `%3d`) */
const SIGNED_WIDTH = { 1: 3, 2: 5, 4: 12, 8: 15 } as const;
const UNSIGNED_WIDTH = { 1: 3, 2: 5, 4: 12, 8: 20 } as const;
/** the longest read `rd` asks for at once; longer displays are read piece by piece */
const CHUNK_BYTES = 64 * 1024;
/** `-a` without a count stops at the first unprintable byte, or here */
const ASCII_MAX = 1024 * 1024;

const isPrint = (b: number) => b >= 0x20 && b < 0x7f;
const addressColumn = (a: bigint) => `${a.toString(16).padStart(16)}:  `;

function valueAt(bytes: Uint8Array, at: number, size: number, netEndian: boolean): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i] as number);
  if (netEndian && size > 1) {
    let swapped = 0n;
    for (let i = 0; i < size; i++) swapped = (swapped << 8n) | ((v >> BigInt(i * 8)) & 0xffn);
    v = swapped;
  }
  return v;
}

function formatValue(
  v: bigint,
  layout: Layout,
  symbols: SymbolIndex | undefined,
  radix: 10 | 16,
): string {
  const { size } = layout;
  if (layout.symbolic && symbols !== undefined) {
    const hit = symbols.findKernel(v);
    if (hit !== undefined)
      return `${`${hit.symbol.name}${formatOffset(hit.offset, radix)}`.padEnd(16)} `;
  }
  if (layout.format === "signed")
    return `${BigInt.asIntN(size * 8, v)
      .toString()
      .padStart(SIGNED_WIDTH[size])} `;
  if (layout.format === "unsigned") return `${v.toString().padStart(UNSIGNED_WIDTH[size])} `;
  return `${v.toString(16).padStart(size * 2, "0")} `;
}

/** Lines for `bytes` read at `address` (whole values only); the last line may be partial. */
export function formatValues(
  address: bigint,
  bytes: Uint8Array,
  layout: Layout,
  symbols: SymbolIndex | undefined,
  radix: 10 | 16,
): string {
  const perLine = PER_LINE[layout.size];
  const asciiColumn = layout.format === "hex" && !layout.symbolic && layout.ascii;
  const count = Math.floor(bytes.length / layout.size);
  let out = "";
  for (let first = 0; first < count; first += perLine) {
    const n = Math.min(perLine, count - first);
    let line = addressColumn(address + BigInt(first * layout.size));
    let chars = "";
    for (let i = 0; i < n; i++) {
      const at = (first + i) * layout.size;
      line += formatValue(
        valueAt(bytes, at, layout.size, layout.netEndian),
        layout,
        symbols,
        radix,
      );
      for (let j = 0; j < layout.size; j++) {
        const b = bytes[at + j] as number;
        chars += isPrint(b) ? String.fromCharCode(b) : ".";
      }
    }
    if (asciiColumn) line += `${" ".repeat((perLine - n) * (layout.size * 2 + 1))}  ${chars}`;
    out += `${line}\n`;
  }
  return out;
}

/** `-a`: printable bytes, 60 to a line; an unprintable byte ends a line (or, without a count, the string) */
export function formatAscii(
  address: bigint,
  bytes: Uint8Array,
  stopAtUnprintable: boolean,
): string {
  let out = "";
  let column = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (!isPrint(b)) {
      if (stopAtUnprintable) break;
      column = 0;
      continue;
    }
    if (column % 60 === 0) out += `${out === "" ? "" : "\n"}${addressColumn(address + BigInt(i))}`;
    out += String.fromCharCode(b);
    column++;
  }
  return out === "" ? "" : `${out}\n`;
}

function layoutOf(ctx: CommandContext, args: Parameters<ShellCommand["run"]>[1]): Layout {
  let size: Layout["size"] = 8;
  for (const [flag, bytes] of [
    ["8", 1],
    ["16", 2],
    ["32", 4],
    ["64", 8],
  ] as const)
    if (args.has(flag)) size = bytes;
  const symbolic = args.has("s") || args.has("S");
  if (symbolic && size !== 8)
    throw new ShellCommandError("-s option is only allowed with 64-bit display");
  if (args.has("S"))
    ctx.err.write("rd: -S: slab cache names need the slab allocator, not read yet; showing -s\n");
  return {
    size,
    format: args.has("d") ? "signed" : args.has("D") ? "unsigned" : "hex",
    symbolic,
    ascii: !args.has("x"),
    netEndian: args.has("N"),
  };
}

export const rdCommand: ShellCommand = {
  name: "rd",
  summary: "read memory",
  usage:
    "[-adDsSpxNR][-8|-16|-32|-64][-o offs][-e addr][-r file] [address|symbol|(expression)] [count]",
  options: [
    { flag: "a", description: "display ASCII: printable characters, 60 to a line" },
    { flag: "8", description: "8-bit values" },
    { flag: "16", description: "16-bit values" },
    { flag: "32", description: "32-bit values" },
    { flag: "64", description: "64-bit values (the default)" },
    { flag: "d", description: "signed decimal" },
    { flag: "D", description: "unsigned decimal" },
    { flag: "s", description: "show values that fall in a kernel symbol as symbol+offset" },
    { flag: "S", description: "as -s (slab cache names are not available yet)" },
    { flag: "x", description: "no ASCII column" },
    { flag: "p", description: "the address is physical" },
    { flag: "u", description: "the address is a user virtual address (not supported)" },
    { flag: "N", description: "16- and 32-bit values in network byte order" },
    { flag: "R", description: "display in reverse order, ending at the address" },
    { flag: "o", value: "offs", description: "add offs to the address" },
    { flag: "e", value: "addr", description: "display up to this address (instead of a count)" },
    { flag: "r", value: "file", description: "write the raw bytes to file (needs a count or -e)" },
  ],
  help: `Displays memory at a kernel virtual address (or physical with -p), given as a
hexadecimal address, a symbol (optionally +offset) or an (expression). The count is the
number of values (decimal unless 0x or plainly hexadecimal); it is 1 by default, and with -a
the display ends at the first unprintable byte. Hexadecimal lines end with the bytes in
ASCII. When a page is not in the dump, the lines read before it are printed, then crash's
"page excluded" message naming the address.`,
  examples: `crashlens> rd jiffies
ffffffffa32079c0:  00000000fffedd91                    ........
crashlens> rd -32 init_uts_ns 8`,
  async run(ctx, args) {
    const word = args.positional[0];
    if (word === undefined || args.positional.length > 2) throw new ShellUsageError("");
    if (args.has("u"))
      throw new ShellCommandError(
        "-u: user virtual addresses are not supported (no task page tables are read)",
      );
    const layout = layoutOf(ctx, args);
    const asciiMode = args.has("a");
    const space: AddressSpace = args.has("p") ? "physical" : "kernel virtual";
    let { address } = await resolveAddress(ctx, word);
    const offset = args.value("o");
    if (offset !== undefined) address += BigInt(parseCount(offset));
    const itemSize = asciiMode ? 1 : layout.size;
    let count: number | undefined;
    const countWord = args.positional[1];
    if (countWord !== undefined) {
      count = parseCount(countWord);
      if (args.has("e"))
        ctx.err.write("rd: WARNING: ending address ignored when count is specified\n");
    } else if (args.has("e")) {
      const end = (await resolveAddress(ctx, args.value("e") as string)).address;
      if (end <= address)
        throw new ShellCommandError(`invalid ending address: ${end.toString(16)}`);
      count = Math.max(1, Number((end - address) / BigInt(itemSize)));
    }
    const raw = args.value("r");
    if (raw !== undefined) {
      if (count === undefined)
        throw new ShellCommandError("-r option requires either a count argument or the -e option");
      const bytes = await readMemory(ctx.kernel, address, count, {
        space,
        type: "raw dump to file",
      });
      await writeFile(raw, bytes);
      ctx.out.write(`${count} bytes copied from 0x${address.toString(16)} to ${raw}\n`);
      return;
    }
    if (count !== undefined && count <= 0)
      throw new ShellCommandError(`invalid count request: ${count}`);
    if (args.has("R") && count !== undefined && count > 1)
      address -= BigInt((count - 1) * itemSize);
    const addrType = space === "physical" ? "PHYSADDR" : "KVADDR";

    if (asciiMode) {
      const stop = count === undefined;
      const total = count ?? ASCII_MAX;
      // without a count, read up to the end of the page first: most strings end there
      let length = Math.min(total, stop ? Number(4096n - (address % 4096n)) : total);
      let bytes = await readMemory(ctx.kernel, address, length, { space, type: "ascii" });
      while (stop && !bytes.some((b) => !isPrint(b)) && length < total) {
        const more = Math.min(4096, total - length);
        const next = await readMemory(ctx.kernel, address + BigInt(length), more, {
          space,
          type: "ascii",
        });
        const joined = new Uint8Array(length + more);
        joined.set(bytes);
        joined.set(next, length);
        bytes = joined;
        length += more;
      }
      ctx.out.write(formatAscii(address, bytes, stop));
      return;
    }

    const symbols = layout.symbolic ? await ctx.symbols() : undefined;
    const lineBytes = PER_LINE[layout.size] * layout.size;
    const total = (count ?? 1) * layout.size;
    const type = `${layout.size * 8}-bit ${addrType}`;
    for (let done = 0; done < total; ) {
      if (await checkpoint(ctx.signal)) return;
      const take = Math.min(total - done, Math.floor(CHUNK_BYTES / lineBytes) * lineBytes);
      const at = address + BigInt(done);
      const bytes = await readMemory(ctx.kernel, at, take, { space, type }, (partial) => {
        ctx.out.write(formatValues(at, partial, layout, symbols, ctx.settings.radix));
      });
      ctx.out.write(formatValues(at, bytes, layout, symbols, ctx.settings.radix));
      done += take;
    }
  },
};
