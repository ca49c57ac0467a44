/**
 * @module isa/x86
 * Decodes x86 machine code with iced-x86 (WASM): objdump-style AT&T text, Intel text, the
 * explicit memory operand with its access, and the registers read and written. The WASM module
 * is imported on first use, so loading `isa/` costs nothing until a Code: line is decoded.
 */

import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { formatHex, hexBytes } from "./hex.js";
import type { DecodedInstruction, MemoryAccess, MemoryOperand } from "./types.js";

type Iced = typeof import("iced-x86");
type Instruction = import("iced-x86").Instruction;

/** Everything one decoding pass needs, built once per bitness. */
interface X86Tools {
  iced: Iced;
  att: InstanceType<Iced["Formatter"]>;
  intel: InstanceType<Iced["Formatter"]>;
  infoFactory: InstanceType<Iced["InstructionInfoFactory"]>;
}

let tools: Promise<X86Tools> | undefined;

function loadTools(): Promise<X86Tools> {
  tools ??= Promise.resolve().then(() => {
    // iced-x86 is CommonJS: require() loads it in ~20 ms, where import() first lexes its
    // 900 kB of JavaScript for named exports and takes ~60 ms (measured on Node 20).
    // A crash report decodes a few dozen instructions: V8's baseline WASM compiler does that at
    // once, while tiering the hot decoder functions up to the optimising compiler cost ~40 ms
    // of CPU per run (a third of a short analysis). The flag is read when the module compiles,
    // so it is set for iced's module only and restored for any WASM loaded later (zstd).
    // (process-wide while it lasts; a user's own --liftoff-only is left as it is)
    const own = process.execArgv.some((a) => a.includes("liftoff"));
    if (!own) setFlagsFromString("--liftoff-only");
    let iced: Iced;
    try {
      iced = createRequire(import.meta.url)("iced-x86") as Iced;
    } finally {
      if (!own) setFlagsFromString("--no-liftoff-only");
    }
    const att = new iced.Formatter(iced.FormatterSyntax.Gas);
    // objdump style: 0x-prefixed lower-case hex everywhere, `(%rdx,%rax,1)`, `0x0(%rax,%rax,1)`.
    att.uppercaseHex = false;
    att.smallHexNumbersInDecimal = false;
    att.alwaysShowScale = true;
    att.showZeroDisplacements = true;
    att.branchLeadingZeros = false;
    att.ripRelativeAddresses = true; // `0xd7e(%rip)`, not the computed target
    att.showUselessPrefixes = true; // `data16 cs nopw`, as objdump keeps them
    const intel = new iced.Formatter(iced.FormatterSyntax.Intel);
    intel.uppercaseHex = false;
    intel.hexPrefix = "0x";
    intel.hexSuffix = "";
    intel.smallHexNumbersInDecimal = false;
    intel.branchLeadingZeros = false;
    intel.showBranchSize = false;
    intel.ripRelativeAddresses = true;
    intel.memorySizeOptions = iced.MemorySizeOptions.Always;
    return { iced, att, intel, infoFactory: new iced.InstructionInfoFactory() };
  });
  return tools;
}

/** Options for one linear decoding pass. */
export interface X86DecodeOptions {
  bitness: 32 | 64;
  /** decode from this byte offset to the end */
  start: number;
  /** address of `bytes[0]`; without it offsets are addresses and branch targets are shown
   * 32-bit wrapped, as `objdump -b binary -m i386` prints them (syzkaller's listings) */
  base?: bigint;
}

/** Decodes `bytes[start..]` linearly. Undecodable bytes become `(bad)` entries. */
export async function decodeX86(
  bytes: Uint8Array,
  options: X86DecodeOptions,
): Promise<DecodedInstruction[]> {
  const t = await loadTools();
  const { iced } = t;
  const code = bytes.subarray(options.start);
  const decoder = new iced.Decoder(options.bitness, code, iced.DecoderOptions.None);
  // the decoder's ip is a u64: a base below 0 (RIP 0x0 minus the fault offset) wraps, so
  // offsets come from the decoder's position, never from ip - base
  const origin = BigInt.asUintN(64, options.base ?? 0n);
  decoder.ip = BigInt.asUintN(64, origin + BigInt(options.start));
  const out: DecodedInstruction[] = [];
  try {
    while (decoder.canDecode) {
      const offset = options.start + decoder.position;
      const ins = decoder.decode();
      try {
        if (ins.isInvalid) {
          // A cut-off instruction at the end takes the remaining bytes; a bad opcode one byte.
          const cutOff = decoder.lastError === iced.DecoderError.NoMoreBytes;
          const length = cutOff ? bytes.length - offset : Math.max(1, ins.length);
          out.push(badInstruction(bytes, offset, length));
          decoder.position = offset - options.start + length;
          decoder.ip = BigInt.asUintN(64, origin + BigInt(offset + length));
          continue;
        }
        out.push(describe(t, ins, bytes, offset, options));
      } finally {
        ins.free();
      }
    }
  } finally {
    decoder.free();
  }
  return out;
}

function badInstruction(bytes: Uint8Array, offset: number, length: number): DecodedInstruction {
  return {
    offset,
    length,
    bytes: hexBytes(bytes.subarray(offset, offset + length)),
    text: "(bad)",
    mnemonic: "(bad)",
    isBad: true,
  };
}

function describe(
  t: X86Tools,
  ins: Instruction,
  bytes: Uint8Array,
  offset: number,
  options: X86DecodeOptions,
): DecodedInstruction {
  const { iced } = t;
  let text = t.att.format(ins).replace(/,\)/g, ")"); // alwaysShowScale leaves "(%rbx,)"
  let intel = t.intel.format(ins);
  if (options.base === undefined && isNearBranch(iced, ins)) {
    const full = formatHex(ins.nearBranchTarget);
    const wrapped = formatHex(ins.nearBranchTarget & 0xffffffffn);
    text = text.replace(full, wrapped);
    intel = intel.replace(full, wrapped);
  }
  const mnemonic = t.att
    .formatMnemonicOptions(ins, iced.FormatMnemonicOptions.NoPrefixes)
    .toLowerCase();
  const decoded: DecodedInstruction = {
    offset,
    length: ins.length,
    bytes: hexBytes(bytes.subarray(offset, offset + ins.length)),
    text,
    intel,
    mnemonic,
    isBad: false,
  };
  if (options.base !== undefined) decoded.address = ins.ip;
  const info = t.infoFactory.info(ins);
  try {
    const memory = memoryOperand(iced, ins, info.usedMemory(), options.bitness);
    if (memory !== undefined) decoded.memory = memory;
    const regs = usedRegisters(iced, info.usedRegisters(), options.bitness);
    decoded.registersRead = regs.read;
    decoded.registersWritten = regs.written;
  } finally {
    info.free();
  }
  return decoded;
}

function isNearBranch(iced: Iced, ins: Instruction): boolean {
  for (let i = 0; i < ins.opCount; i++) {
    const k = ins.opKind(i);
    if (k === iced.OpKind.NearBranch16 || k === iced.OpKind.NearBranch32) return true;
    if (k === iced.OpKind.NearBranch64) return true;
  }
  return false;
}

type UsedMemory = InstanceType<Iced["UsedMemory"]>;
type UsedRegister = InstanceType<Iced["UsedRegister"]>;

function accessOf(iced: Iced, a: number): MemoryAccess {
  const A = iced.OpAccess;
  if (a === A.Read || a === A.CondRead) return "read";
  if (a === A.Write || a === A.CondWrite) return "write";
  if (a === A.ReadWrite || a === A.ReadCondWrite) return "read-write";
  return "none";
}

function registerName(iced: Iced, r: number, bitness: 32 | 64): string | undefined {
  if (r === iced.Register.None) return undefined;
  const full =
    bitness === 64 ? iced.RegisterExt.fullRegister(r) : iced.RegisterExt.fullRegister32(r);
  return iced.Register[full]?.toLowerCase();
}

const stringOpKinds = (iced: Iced): ReadonlySet<number> =>
  new Set([
    iced.OpKind.MemorySegSI,
    iced.OpKind.MemorySegESI,
    iced.OpKind.MemorySegRSI,
    iced.OpKind.MemorySegDI,
    iced.OpKind.MemorySegEDI,
    iced.OpKind.MemorySegRDI,
    iced.OpKind.MemoryESDI,
    iced.OpKind.MemoryESEDI,
    iced.OpKind.MemoryESRDI,
  ]);

/** The instruction's explicit memory operand (or, for string instructions, the first implicit
 * one in Intel operand order, i.e. the destination of movs/stos), with the access iced reports. */
function memoryOperand(
  iced: Iced,
  ins: Instruction,
  used: UsedMemory[],
  bitness: 32 | 64,
): MemoryOperand | undefined {
  const kinds = Array.from({ length: ins.opCount }, (_, i) => ins.opKind(i));
  try {
    if (kinds.includes(iced.OpKind.Memory)) {
      const isRipRelative =
        ins.memoryBase === iced.Register.RIP || ins.memoryBase === iced.Register.EIP;
      // iced keeps the absolute target for RIP-relative operands; objdump shows the offset.
      const rawDisp = isRipRelative ? ins.memoryDisplacement - ins.nextIP : ins.memoryDisplacement;
      // usedMemory reports RIP-relative operands as absolute (no base) and displacements as u64.
      const wantBase = isRipRelative ? iced.Register.None : ins.memoryBase;
      const wantDisp = BigInt.asUintN(64, ins.memoryDisplacement);
      const match = used.find(
        (u) =>
          u.base === wantBase &&
          u.index === ins.memoryIndex &&
          BigInt.asUintN(64, u.displacement) === wantDisp,
      );
      const memory: MemoryOperand = {
        displacement: Number(BigInt.asIntN(64, rawDisp)),
        access: match === undefined ? "none" : accessOf(iced, match.access),
      };
      const base = registerName(iced, ins.memoryBase, bitness);
      if (base !== undefined) memory.base = base;
      const index = registerName(iced, ins.memoryIndex, bitness);
      if (index !== undefined) {
        memory.index = index;
        memory.scale = ins.memoryIndexScale;
      }
      if (ins.segmentPrefix !== iced.Register.None) {
        const seg = iced.Register[ins.segmentPrefix]?.toLowerCase();
        if (seg !== undefined) memory.segment = seg;
      }
      const size = iced.MemorySizeExt.size(ins.memorySize);
      if (size > 0 && memory.access !== "none") memory.sizeBytes = size;
      return memory;
    }
    const strings = stringOpKinds(iced);
    if (!kinds.some((k) => strings.has(k))) return undefined;
    const first = used.find((u) => u.base !== iced.Register.RSP && u.base !== iced.Register.ESP);
    if (first === undefined) return undefined;
    const memory: MemoryOperand = { displacement: 0, access: accessOf(iced, first.access) };
    const base = registerName(iced, first.base, bitness);
    if (base !== undefined) memory.base = base;
    const size = iced.MemorySizeExt.size(first.memorySize);
    if (size > 0) memory.sizeBytes = size;
    return memory;
  } finally {
    for (const u of used) u.free();
  }
}

function usedRegisters(
  iced: Iced,
  used: UsedRegister[],
  bitness: 32 | 64,
): { read: string[]; written: string[] } {
  const read = new Set<string>();
  const written = new Set<string>();
  const A = iced.OpAccess;
  for (const u of used) {
    const name = registerName(iced, u.register, bitness);
    const a = u.access;
    u.free();
    if (name === undefined) continue;
    if (a === A.Read || a === A.CondRead || a === A.ReadWrite || a === A.ReadCondWrite) {
      read.add(name);
    }
    if (a === A.Write || a === A.CondWrite || a === A.ReadWrite || a === A.ReadCondWrite) {
      written.add(name);
    }
  }
  return { read: [...read], written: [...written] };
}
