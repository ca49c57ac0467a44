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
  normalizeRegister,
  parseAttInstruction,
} from "../isa/index.js";
import type { Report } from "../oops/report.js";
import type { Instruction } from "./types.js";
import { armConstants, armRegistersWritten } from "./util/arm-writes.js";
import { isaOf } from "./util/registers.js";

/** Hangs and stalls print code that is merely where the CPU was sampled. */
const SAMPLED_KINDS = new Set(["soft-lockup", "hard-lockup", "rcu-stall", "hung-task"]);

/**
 * Exception and interrupt entry points. A PC at their very first instruction is where the CPU
 * was about to run the handler: the fault (a double fault, a stack overflow) happened while
 * delivering the exception, and that first instruction never ran, so it is not the faulting
 * instruction (real case: testdata/realworld/321).
 */
const EXCEPTION_ENTRY =
  /^(?:asm_exc_\w+|asm_sysvec_\w+|asm_common_interrupt|asm_spurious_interrupt|(?:async_)?page_fault|general_protection|invalid_op|divide_error|double_fault|stack_segment|segment_not_present|common_interrupt|apic_timer_interrupt|error_entry|paranoid_entry|nmi|int3|debug|entry_(?:SYSCALL|INT80|SYSENTER)\w*|irq_entries_start|el[01]h?_(?:64_|32_)?(?:sync|irq|fiq|error)\w*|vectors|__(?:dabt|pabt|und|irq)_(?:svc|usr))$/;

export function atExceptionEntry(report: Report): boolean {
  const ip = report.ip;
  return !!ip?.symbol && (ip.offset ?? -1) === 0 && EXCEPTION_ENTRY.test(ip.symbol);
}

/** x86-64 registers a called function may change (System V), arguments included. */
const X86_CALLER_SAVED = ["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"];
const I386_CALLER_SAVED = ["eax", "ecx", "edx"];

/** Registers given a constant before the fault: `movabs $0xdead000000000100,%rax`. */
function x86Constants(texts: readonly string[], written: readonly (string[] | undefined)[]) {
  const out = new Map<string, bigint>();
  texts.forEach((text, i) => {
    const m = /^(?:movabs|mov) \$(0x[0-9a-f]+),%(r\w+)$/.exec(text);
    if (m) out.set(m[2] as string, BigInt(m[1] as string));
    else for (const r of written[i] ?? []) out.delete(r);
  });
  return out;
}

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
    if (ins && dest?.startsWith("%") && ins.operands.length > 1)
      written.add(normalizeRegister("x86_64", dest));
    if (ins && /^call/.test(ins.mnemonic)) for (const r of X86_CALLER_SAVED) written.add(r);
  }
  if (before.length > 0) out.writtenBefore = [...written];
  return out;
}

/** The bytes of a `Code:` line as memory holds them. */
export function hexBytes(bytes: string, unit: number): Uint8Array {
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
  // what each earlier instruction writes: the decoder says on x86, the arm table reads the
  // text on arm64/arm; a call may change every caller-saved register
  const writes = before.map((i) => {
    if (arch === "arm64" || arch === "arm") return armRegistersWritten(arch, i.text);
    if (!i.registersWritten) return undefined;
    if (!/^call/.test(i.mnemonic)) return i.registersWritten;
    return [...i.registersWritten, ...(arch === "i386" ? I386_CALLER_SAVED : X86_CALLER_SAVED)];
  });
  const known = writes.every((w) => w !== undefined);
  if (known && before.length > 0) {
    out.writtenBefore = [...new Set(writes.flatMap((w) => w ?? []))];
    // the Code: bytes start inside the function: earlier writes are not shown
    if (!(Number.isFinite(functionStart) && functionStart >= decoded.skippedBytes))
      out.writtenBeforePartial = true;
  } else if (known && Number.isFinite(functionStart) && functionStart >= decoded.skippedBytes) {
    out.writtenBefore = [];
  }
  // constants the function loaded itself (a poison value it is about to store)
  const texts = before.map((i) => i.text);
  const constants =
    arch === "arm64"
      ? armConstants(texts)
      : arch === "x86_64"
        ? x86Constants(texts, writes)
        : undefined;
  if (constants && constants.size > 0) {
    out.constants = Object.fromEntries([...constants].map(([r, v]) => [r, `0x${v.toString(16)}`]));
  }
  return out;
}

/** The Code: bytes when the report has them (the kernel's own record), with the source line
 * a `dis -l` listing adds; else the listing alone. */
export async function faultingInstruction(report: Report): Promise<Instruction | undefined> {
  if (SAMPLED_KINDS.has(report.kind) || atExceptionEntry(report)) return undefined;
  const listed = fromDisassembly(report);
  const decoded = await fromCode(report);
  if (!decoded) return listed;
  if (listed?.source) decoded.source = listed.source;
  // the listing covers the whole function up to the fault; the Code: bytes may not
  if (
    (decoded.writtenBefore === undefined || decoded.writtenBeforePartial) &&
    listed?.writtenBefore
  ) {
    decoded.writtenBefore = [
      ...new Set([...(decoded.writtenBefore ?? []), ...listed.writtenBefore]),
    ];
    delete decoded.writtenBeforePartial;
  }
  return decoded;
}
