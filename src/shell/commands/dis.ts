/**
 * @module shell/commands/dis
 * `dis`: disassembly in crash's (gdb's) shape, `0xADDR <sym+off>:\tmnemonic operands`, with
 * call and jump targets and RIP-relative operands named by kallsyms and the ftrace NOP at a
 * function's entry marked. Bytes come from the dump; function bounds from kallsyms (the
 * distance to the next symbol), so no debuginfo is needed — and no source lines are shown.
 */

import { decodeArm } from "../../isa/arm.js";
import type { DecodedInstruction } from "../../isa/types.js";
import { decodeX86 } from "../../isa/x86.js";
import { parseCount, resolveAddress } from "../address.js";
import { checkpoint } from "../cancel.js";
import {
  type CommandContext,
  type ShellCommand,
  ShellCommandError,
  ShellUsageError,
} from "../command.js";
import { readMemory } from "../memory.js";
import { formatOffset } from "../settings.js";
import type { SymbolIndex } from "../symbol-index.js";

/** the decoder for the dump's architecture (kernel.view.arch.name) */
const DECODERS: Readonly<
  Record<"x86_64" | "arm64", (code: Uint8Array, base: bigint) => Promise<DecodedInstruction[]>>
> = {
  x86_64: (code, base) => decodeX86(code, { bitness: 64, start: 0, base }),
  arm64: (code, base) => decodeArm(code, { arch: "arm64", unit: 4, start: 0, base }),
};

/** mnemonics whose last operand is a code address gdb names: x86 jumps and calls, arm64 branches */
const BRANCH = /^(?:j|call|loop|jrcxz|jecxz|b\.|cbn?z|tbn?z)|^bl?$/;

/** the longest x86 instruction */
const MAX_INSTRUCTION = 15;
/** the most bytes one `dis` decodes (a function larger than this is cut, with a note) */
const MAX_BYTES = 256 * 1024;
const MNEMONIC_WIDTH = 6;

/** `<name+off>` for an address in a symbol, else "" (gdb names module symbols bare too) */
function symbolic(index: SymbolIndex, address: bigint, radix: 10 | 16): string {
  const hit = index.findKernel(address);
  if (hit === undefined) return "";
  return `<${hit.symbol.name}${formatOffset(hit.offset, radix)}>`;
}

/** gdb's instruction text: the mnemonic (with its prefixes) padded to 6, targets named */
export function formatInstruction(
  ins: DecodedInstruction,
  index: SymbolIndex,
  radix: 10 | 16,
  functionOffset: number | undefined,
): string {
  const text = ins.text;
  const at = text.indexOf(`${ins.mnemonic} `);
  let body =
    at < 0
      ? `${text.padEnd(MNEMONIC_WIDTH)} `
      : `${text.slice(0, at + ins.mnemonic.length).padEnd(MNEMONIC_WIDTH)} ${text.slice(at + ins.mnemonic.length + 1)}`;
  const address = ins.address ?? 0n;
  const branch = BRANCH.test(ins.mnemonic) ? /(0x[0-9a-f]+)$/.exec(body) : null;
  if (branch !== null) {
    const name = symbolic(index, BigInt(branch[1] as string), radix);
    if (name !== "") body += ` ${name}`;
  } else if (ins.memory?.base === "rip") {
    const target = BigInt.asUintN(
      64,
      address + BigInt(ins.length) + BigInt(ins.memory.displacement),
    );
    const name = symbolic(index, target, radix);
    body += `        # 0x${target.toString(16)}${name === "" ? "" : ` ${name}`}`;
  }
  // the 5-byte NOP that ftrace patches over the __fentry__ call, at entry or after endbr64
  if (ins.length === 5 && ins.mnemonic === "nopl" && (functionOffset === 0 || functionOffset === 4))
    body += " [FTRACE NOP]";
  return body;
}

interface Range {
  start: bigint;
  /** bytes to read */
  length: number;
  /** stop after this many instructions (undefined: the whole range) */
  count?: number;
  /** stop after the instruction that holds this address (-r) */
  through?: bigint;
}

function rangeFor(
  ctx: CommandContext,
  args: Parameters<ShellCommand["run"]>[1],
  address: bigint,
  wholeFunction: boolean,
  index: SymbolIndex,
): Range {
  const hit = index.find(address);
  const countWord = args.positional[1];
  const count = countWord === undefined ? undefined : parseCount(countWord);
  if (count !== undefined && count <= 0)
    throw new ShellCommandError(`invalid count request: ${count}`);
  const start = hit === undefined ? address : address - BigInt(hit.offset);
  const end = hit === undefined ? undefined : start + BigInt(hit.size);
  if (args.has("r")) {
    if (hit === undefined)
      throw new ShellCommandError(`-r: ${address.toString(16)} is not inside a kernel symbol`);
    return { start, length: hit.offset + MAX_INSTRUCTION, through: address };
  }
  if (args.has("f") || (wholeFunction && count === undefined)) {
    if (end === undefined)
      throw new ShellCommandError(`${address.toString(16)}: the end of its function is unknown`);
    const length = Number(end - address);
    if (length > MAX_BYTES)
      ctx.err.write(`dis: showing the first ${MAX_BYTES} bytes of ${length}\n`);
    return { start: address, length: Math.min(length, MAX_BYTES) };
  }
  const n = count ?? 1;
  return { start: address, length: Math.min(n * MAX_INSTRUCTION, MAX_BYTES), count: n };
}

export const disCommand: ShellCommand = {
  name: "dis",
  summary: "disassemble",
  usage: "[-rfuxdls] [address | symbol[+offset] | (expression)] [count]",
  options: [
    {
      flag: "r",
      description: "reverse: from the start of the function up to and including the address",
    },
    { flag: "f", description: "forward: from the address to the end of its function" },
    { flag: "x", description: "symbol offsets in hexadecimal (as set radix 16)" },
    { flag: "d", description: "symbol offsets in decimal" },
    { flag: "l", description: "source line numbers (none without DWARF debuginfo)" },
    { flag: "s", description: "source code (none without DWARF debuginfo)" },
    { flag: "u", description: "the address is a user virtual address (not supported)" },
  ],
  help: `Disassembles x86-64 kernel text read from the dump, in AT&T syntax as crash (gdb)
prints it. A symbol alone disassembles its whole function; an address or symbol+offset one
instruction, or count instructions. Function bounds come from kallsyms (the next symbol's
address), call and jump targets and RIP-relative operands are named by kallsyms, and the
ftrace NOP at a function's entry is marked [FTRACE NOP]. There are no source lines: crashlens
reads no DWARF, so -l and -s say so and disassemble anyway.`,
  examples: `crashlens> dis -r panic+0x177
crashlens> dis __free_pages 4`,
  async run(ctx, args) {
    const word = args.positional[0];
    if (word === undefined || args.positional.length > 2) throw new ShellUsageError("");
    if (args.has("u"))
      throw new ShellCommandError(
        "-u: user virtual addresses are not supported (no task page tables are read)",
      );
    if (args.has("l") || args.has("s"))
      ctx.err.write(
        `dis: -${args.has("l") ? "l" : "s"}: no source lines without DWARF debuginfo (crashlens reads none)\n`,
      );
    const radix = args.has("x") ? 16 : args.has("d") ? 10 : ctx.settings.radix;
    const index = await ctx.symbols();
    const resolved = await resolveAddress(ctx, word);
    const range = rangeFor(ctx, args, resolved.address, resolved.symbol !== undefined, index);
    let failure: ShellCommandError | undefined;
    let partial = new Uint8Array(0);
    let code: Uint8Array;
    try {
      code = await readMemory(
        ctx.kernel,
        range.start,
        range.length,
        { space: "kernel virtual", type: "gdb_readmem_callback" },
        (bytes) => {
          partial = bytes.slice();
        },
      );
    } catch (error) {
      if (!(error instanceof ShellCommandError)) throw error;
      failure = error;
      code = partial;
    }
    const decoded = await DECODERS[ctx.kernel.view.arch?.name ?? "x86_64"](code, range.start);
    let shown = 0;
    let reached = false;
    for (const ins of decoded) {
      if (await checkpoint(ctx.signal)) return;
      const address = ins.address ?? range.start + BigInt(ins.offset);
      if (range.through !== undefined && address > range.through) break;
      // an instruction cut off by the end of what could be read is not shown
      if (ins.isBad && ins.offset + ins.length >= code.length) break;
      const hit = index.find(address);
      const label = hit === undefined ? "" : ` ${symbolic(index, address, radix)}`;
      const body = formatInstruction(ins, index, radix, hit?.offset);
      ctx.out.write(`0x${address.toString(16)}${label}:\t${body}\n`);
      shown++;
      if (range.count !== undefined && shown >= range.count) break;
      if (range.through !== undefined && address + BigInt(ins.length) > range.through) {
        reached = true;
        break;
      }
    }
    const complete = reached || (range.count !== undefined && shown >= range.count);
    if (failure !== undefined && !complete) throw failure;
  },
};
