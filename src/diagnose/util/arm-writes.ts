/**
 * @module diagnose/util/arm-writes
 * Which general registers an arm64 or 32-bit ARM instruction writes, read from its text as
 * capstone prints it. capstone.js does not fill in its register-access details for these
 * architectures, and the answer is regular enough to state as a table: the first operand is
 * the destination, except for stores, compares, branches and barriers; loads of a pair write
 * two; pre/post-indexed addressing writes its base back; a call clobbers the caller-saved
 * registers, arguments included.
 */
import { normalizeRegister } from "../../isa/index.js";

/** Mnemonics that write no general register through their first operand. */
const NO_DESTINATION: Record<"arm64" | "arm", RegExp> = {
  arm64:
    /^(?:st(?:r|ur|lr|np|p|g|z?g|2g)[bhw]?|st(?:llr|lur)[bh]?|stadd\w*|stclr\w*|stset\w*|steor\w*|cmp|cmn|tst|ccmp|ccmn|fcmp\w*|b(?:\.\w+)?|br\w*|cbn?z|tbn?z|ret\w*|eret\w*|nop|yield|wf[ei]|sev\w*|hint|dmb|dsb|isb|sb|csdb|prfu?m|msr|sys|tlbi|dc|ic|at|hvc|smc|svc|brk|hlt|udf|pac\w*sp|aut\w*sp|bti|clrex|esb|psb)$/,
  arm: /^(?:str\w*|stm\w*|push|vst\w*|vpush|cmp\w*|cmn\w*|tst\w*|teq\w*|b|bx|b[a-z]{2}|bx[a-z]{2}|cbn?z|nop|dmb|dsb|isb|pld\w*|pli|msr|mcr\w*|svc|bkpt|udf|wf[ei]|sev|cps\w*|vcmp\w*|it\w*)$/,
};
/** Calls: the callee may change every caller-saved register. */
const CALL: Record<"arm64" | "arm", RegExp> = {
  arm64: /^blr?\w*$/,
  arm: /^blx?(?:[a-z]{2})?$/,
};
const CALLER_SAVED: Record<"arm64" | "arm", string[]> = {
  arm64: [...Array.from({ length: 19 }, (_, i) => `x${i}`), "x30"],
  arm: ["r0", "r1", "r2", "r3", "ip", "lr"],
};
const REGISTER: Record<"arm64" | "arm", RegExp> = {
  arm64: /^(?:[xw](?:\d|[12]\d|30)|fp|lr|sp|wsp)$/,
  arm: /^(?:r\d|r1[0-5]|fp|ip|sp|lr|pc|sb|sl)$/,
};

function operands(text: string): string[] {
  const rest = text.slice(text.indexOf(" ") + 1);
  if (rest === text) return [];
  // split at top-level commas: `[x0, #8]` and `{r4, r5}` stay whole
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of rest) {
    if (ch === "[" || ch === "{") depth++;
    if (ch === "]" || ch === "}") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * Full-width general registers written by one instruction, or undefined when the text is not
 * an instruction this table can read (`(bad)`).
 */
export function armRegistersWritten(arch: "arm64" | "arm", text: string): string[] | undefined {
  const mnemonic = text.split(" ")[0] ?? "";
  if (!mnemonic || mnemonic === "(bad)") return undefined;
  const ops = operands(text);
  const norm = (r: string) => normalizeRegister(arch, r);
  const isReg = (r: string | undefined) => r !== undefined && REGISTER[arch].test(r);
  const written = new Set<string>();
  if (CALL[arch].test(mnemonic)) for (const r of CALLER_SAVED[arch]) written.add(r);
  // writeback: `[x0, #8]!` (pre-index) or `[x0], #8` (post-index) update the base
  const memAt = ops.findIndex((o) => o.startsWith("["));
  if (memAt >= 0) {
    const mem = ops[memAt] as string;
    const base = /^\[\s*(\w+)/.exec(mem)?.[1];
    if (base && (mem.endsWith("!") || memAt < ops.length - 1)) written.add(norm(base));
  }
  if (arch === "arm") {
    // ldm/pop write their register list (and the base with `!`)
    const list = ops.find((o) => o.startsWith("{"));
    if (/^(?:ldm\w*|pop)$/.test(mnemonic) && list) {
      for (const r of list.slice(1, -1).split(",")) {
        const name = r.trim();
        const range = /^r(\d+)-r(\d+)$/.exec(name);
        if (range) {
          for (let n = Number(range[1]); n <= Number(range[2]); n++) written.add(norm(`r${n}`));
        } else if (isReg(name)) written.add(norm(name));
      }
      if (ops[0]?.endsWith("!")) written.add(norm(ops[0].slice(0, -1)));
      return [...written];
    }
    if (/^(?:stm\w*|push)$/.test(mnemonic)) {
      if (ops[0]?.endsWith("!")) written.add(norm(ops[0].slice(0, -1)));
      if (mnemonic === "push") written.add("sp");
      return [...written];
    }
  }
  if (NO_DESTINATION[arch].test(mnemonic)) {
    // store-exclusive writes its status register, the first operand
    if (arch === "arm64" && /^st(?:l?xr|l?xp)/.test(mnemonic) && isReg(ops[0]))
      written.add(norm(ops[0] as string));
    if (arch === "arm" && /^strex/.test(mnemonic) && isReg(ops[0]))
      written.add(norm(ops[0] as string));
    return [...written].filter((r) => r !== "xzr");
  }
  // LSE atomics (`ldadd ws, wt, [xn]`, `swp`) load into their second operand; `mrc` writes
  // its third
  const dest =
    arch === "arm64" && /^(?:ld(?:add|clr|eor|set|smax|smin|umax|umin)\w*|swp\w*)$/.test(mnemonic)
      ? ops[1]
      : arch === "arm" && /^mrc2?$/.test(mnemonic)
        ? ops[2]
        : ops[0];
  if (isReg(dest)) written.add(norm(dest as string));
  // loads of a pair (and 32-bit ldrd / umull-style long results) write two registers
  if (
    /^(?:ldp\w*|ldnp|ld[a]?xp|ldrd|[su]mull\w*|[su]mlal\w*|ldaxp)$/.test(mnemonic) &&
    isReg(ops[1])
  )
    written.add(norm(ops[1] as string));
  return [...written].filter((r) => r !== "xzr");
}

/**
 * Registers given a constant by the instructions before the fault (arm64 `mov`/`movz`/`movk`
 * chains, `mov xN, #imm`), as far as the listing shows: the value the code itself wrote, not
 * one it read from memory.
 */
export function armConstants(texts: readonly string[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const text of texts) {
    const m = /^(movz?|movk|mov|movn) ([xw]\d+), #(-?(?:0x[0-9a-f]+|\d+))(?:, lsl #(\d+))?$/.exec(
      text,
    );
    if (!m) {
      // any other write ends what is known about a register
      for (const r of armRegistersWritten("arm64", text) ?? []) out.delete(r);
      continue;
    }
    const reg = normalizeRegister("arm64", m[2] as string);
    const imm = BigInt.asUintN(64, BigInt(m[3] as string) << BigInt(m[4] ?? 0));
    const shift = BigInt(m[4] ?? 0);
    if (m[1] === "movk") {
      const old = out.get(reg);
      if (old === undefined) continue;
      const mask = 0xffffn << shift;
      out.set(reg, (old & ~mask) | imm);
    } else if (m[1] === "movn") out.set(reg, BigInt.asUintN(64, ~imm));
    else out.set(reg, imm);
  }
  return out;
}
