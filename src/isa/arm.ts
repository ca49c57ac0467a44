/**
 * @module isa/arm
 * Decodes arm64 and 32-bit ARM (ARM or Thumb) code with capstone (WASM), in the syntax objdump
 * prints: memory offsets in decimal on arm64 (`[sp, #-16]!`), immediates in decimal on arm,
 * branch targets without `#`. capstone is imported on first use.
 */

import type { CapstoneDecoder, CapstoneInstruction } from "@alexaltea/capstone-js";
import { armMemoryOperand } from "./arm-operands.js";
import type { DecodedInstruction } from "./types.js";

type Mode = "arm64" | "arm" | "thumb";
let decoders: Promise<Record<Mode, CapstoneDecoder>> | undefined;

function loadDecoders(): Promise<Record<Mode, CapstoneDecoder>> {
  decoders ??= import("@alexaltea/capstone-js").then(async (mod) => {
    const init = (mod as { default: typeof mod.default }).default;
    const cs = await init();
    return {
      arm64: new cs.Capstone(cs.ARCH_ARM64, cs.MODE_ARM),
      arm: new cs.Capstone(cs.ARCH_ARM, cs.MODE_ARM),
      thumb: new cs.Capstone(cs.ARCH_ARM, cs.MODE_THUMB),
    };
  });
  return decoders;
}

export interface ArmDecodeOptions {
  arch: "arm64" | "arm";
  /** 4 for arm64 and ARM mode, 2 for Thumb */
  unit: 2 | 4;
  /** decode from this byte offset to the end */
  start: number;
  /** address of `bytes[0]`, when known */
  base?: bigint;
}

// Branches whose last operand is a target address, which objdump prints without `#`.
const conditions = "eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al";
const branchMnemonic = new RegExp(
  `^(?:b|bl|blx|b\\.(?:${conditions})|b(?:${conditions})|bl(?:${conditions})|cbn?z|tbn?z|adrp?)(?:\\.w|\\.n)?$`,
);

/** Decodes `bytes[start..]` one instruction at a time; words that do not decode are `(bad)`. */
export async function decodeArm(
  bytes: Uint8Array,
  options: ArmDecodeOptions,
): Promise<DecodedInstruction[]> {
  const all = await loadDecoders();
  const mode: Mode = options.arch === "arm64" ? "arm64" : options.unit === 2 ? "thumb" : "arm";
  const decoder = all[mode];
  const origin = options.base ?? 0n;
  const out: DecodedInstruction[] = [];
  let offset = options.start;
  while (offset + options.unit <= bytes.length) {
    // Thumb-2 instructions may take two halfwords: offer up to 4 bytes, take what it uses.
    const window = bytes.subarray(offset, Math.min(bytes.length, offset + 4));
    const ins = disasmOne(decoder, window, origin + BigInt(offset));
    const length = ins?.size ?? options.unit;
    const units = bytes.subarray(offset, offset + length);
    const decoded: DecodedInstruction =
      ins === undefined
        ? {
            offset,
            length,
            bytes: unitHex(units, options.unit),
            text: "(bad)",
            mnemonic: "(bad)",
            isBad: true,
          }
        : describe(ins, options, offset, unitHex(units, options.unit));
    if (options.base !== undefined) decoded.address = origin + BigInt(offset);
    out.push(decoded);
    offset += length;
  }
  return out;
}

function disasmOne(
  decoder: CapstoneDecoder,
  window: Uint8Array,
  address: bigint,
): CapstoneInstruction | undefined {
  try {
    // capstone takes a signed 64-bit address.
    return decoder.disasm(Array.from(window), BigInt.asIntN(64, address), 1)[0];
  } catch {
    // capstone.js throws a string when the bytes are not an instruction.
    return undefined;
  }
}

function describe(
  ins: CapstoneInstruction,
  options: ArmDecodeOptions,
  offset: number,
  bytes: string,
): DecodedInstruction {
  const mnemonic = ins.mnemonic.toLowerCase();
  const opStr = objdumpOperands(options.arch, mnemonic, ins.op_str.toLowerCase());
  const decoded: DecodedInstruction = {
    offset,
    length: ins.size,
    bytes,
    text: opStr === "" ? mnemonic : `${mnemonic} ${opStr}`,
    mnemonic,
    isBad: false,
  };
  const memory = armMemoryOperand(options.arch, mnemonic, ins.op_str.toLowerCase());
  if (memory !== undefined) decoded.memory = memory;
  return decoded;
}

const hexImmediate = /#(-?)0x([0-9a-f]+)/g;
const toDecimal = (_: string, sign: string, hex: string) =>
  `#${sign}${BigInt(`0x${hex}`).toString(10)}`;

/** Rewrites capstone's operand text the way objdump prints it. */
function objdumpOperands(arch: "arm64" | "arm", mnemonic: string, opStr: string): string {
  if (branchMnemonic.test(mnemonic)) return opStr.replace(/#(-?0x[0-9a-f]+)$/, "$1");
  if (arch === "arm") return opStr.replace(hexImmediate, toDecimal);
  // arm64: offsets of loads and stores are decimal (`[sp, #16]`, `[x1], #8`), other immediates hex.
  if (!opStr.includes("[")) return opStr;
  return opStr
    .replace(/\[[^\]]*\]/g, (inner) => inner.replace(hexImmediate, toDecimal))
    .replace(
      /\], #(-?)0x([0-9a-f]+)$/,
      (_, sign: string, hex: string) => `], #${sign}${Number.parseInt(hex, 16)}`,
    );
}

/** Units as the kernel printed them: `39000274` for a word, `f8d3 3004` for Thumb halfwords. */
function unitHex(bytes: Uint8Array, unit: 2 | 4): string {
  const parts: string[] = [];
  for (let i = 0; i + unit <= bytes.length; i += unit) {
    let v = 0;
    for (let b = unit - 1; b >= 0; b--) v = v * 256 + (bytes[i + b] ?? 0);
    parts.push(v.toString(16).padStart(unit * 2, "0"));
  }
  return parts.join(" ");
}
