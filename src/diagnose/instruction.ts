/**
 * @module diagnose/instruction
 * Finds the faulting instruction: from a pasted `crash dis` line at the exception RIP when
 * there is one (it carries the source line), else by decoding the report's Code: bytes.
 */
import {
  attToIntel,
  decodeCode,
  formatListing,
  type MemoryOperand,
  parseAttInstruction,
} from "../isa/index.js";
import type { Report } from "../oops/report.js";
import type { Instruction } from "./types.js";
import { isaOf } from "./util/registers.js";

/** Hangs and stalls print code that is merely where the CPU was sampled. */
const SAMPLED_KINDS = new Set(["soft-lockup", "hard-lockup", "rcu-stall", "hung-task"]);

/** Copies a memory operand's parts onto the instruction. */
function addOperand(out: Instruction, memory: MemoryOperand): void {
  out.access = memory.access;
  if (memory.base) out.base = memory.base;
  if (memory.index) out.index = memory.index;
  if (memory.scale !== undefined) out.scale = memory.scale;
  out.displacement = memory.displacement;
}

function fromDisassembly(report: Report): Instruction | undefined {
  const ip = report.ip;
  const listing = report.session?.disassembly ?? [];
  if (!ip?.symbol) return undefined;
  const at = listing.find(
    (d) =>
      (d.symbol === ip.symbol && (d.offset ?? 0) === (ip.offset ?? 0)) ||
      (ip.address !== undefined && BigInt(d.address) === BigInt(ip.address)),
  );
  if (!at) return undefined;
  const parsed = parseAttInstruction(at.instruction);
  if (!parsed) return undefined;
  const out: Instruction = {
    text: at.instruction,
    mnemonic: parsed.mnemonic,
    from: "disassembly",
    line: at.line,
  };
  const intel = attToIntel(at.instruction);
  if (intel) out.intel = intel;
  if (parsed.memory) addOperand(out, parsed.memory);
  if (at.source) out.source = at.source;
  // registers written earlier in the same function, as far as the listing shows
  const before = listing.filter(
    (d) => d.symbol === ip.symbol && (d.offset ?? 0) < (ip.offset ?? 0),
  );
  const written = new Set<string>();
  for (const d of before) {
    const ins = parseAttInstruction(d.instruction);
    const dest = ins?.operands.at(-1);
    if (ins && dest?.startsWith("%") && ins.operands.length > 1) written.add(dest.slice(1));
  }
  if (before.length > 0) out.writtenBefore = [...written];
  return out;
}

function hexBytes(bytes: string, unit: number): Uint8Array {
  const out: number[] = [];
  for (const token of bytes.split(" ")) {
    // multi-byte units are printed as numbers: store them little-endian, as memory holds them
    const value = Number.parseInt(token, 16);
    for (let i = 0; i < unit; i++) out.push((value >>> (8 * i)) & 0xff);
  }
  return Uint8Array.from(out);
}

async function fromCode(report: Report): Promise<Instruction | undefined> {
  const code = report.code;
  const arch = isaOf(report);
  if (!code || !arch) return undefined;
  const bytes = hexBytes(code.bytes, code.unit);
  const address = report.ip?.address ? BigInt(report.ip.address) : undefined;
  const decoded = await decodeCode(
    arch,
    { bytes, faultOffset: code.faultIndex * code.unit },
    address,
  );
  const ins = decoded?.instructions[decoded.faultIndex];
  if (!decoded || !ins) return undefined;
  const out: Instruction = {
    text: ins.text,
    mnemonic: ins.mnemonic,
    from: "code",
    line: code.line,
    listing: formatListing(decoded),
  };
  if (ins.intel) out.intel = ins.intel;
  if (decoded.trapOnly) out.trapOnly = true;
  if (ins.memory) addOperand(out, ins.memory);
  // instructions of the same function before the fault: the ip offset bounds them
  const functionStart =
    code.faultIndex * code.unit - (report.ip?.offset ?? Number.POSITIVE_INFINITY);
  const before = decoded.instructions
    .slice(0, decoded.faultIndex)
    .filter((i) => i.offset >= functionStart);
  // only when the decoder says what each earlier instruction writes (x86 only, for now)
  const known = before.every((i) => i.registersWritten !== undefined);
  if (Number.isFinite(functionStart) && functionStart >= decoded.skippedBytes && known) {
    out.writtenBefore = [...new Set(before.flatMap((i) => i.registersWritten ?? []))];
  }
  return out;
}

/** The Code: bytes when the report has them (the kernel's own record), with the source line
 * a `dis -l` listing adds; else the listing alone. */
export async function faultingInstruction(report: Report): Promise<Instruction | undefined> {
  if (SAMPLED_KINDS.has(report.kind)) return undefined;
  const listed = fromDisassembly(report);
  const decoded = await fromCode(report);
  if (!decoded) return listed;
  if (listed?.source) decoded.source = listed.source;
  // the listing covers the whole function up to the fault; the Code: bytes may not
  if (decoded.writtenBefore === undefined && listed?.writtenBefore) {
    decoded.writtenBefore = listed.writtenBefore;
  }
  return decoded;
}
