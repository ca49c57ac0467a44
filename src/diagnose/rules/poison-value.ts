/**
 * @module diagnose/rules/poison-value
 * Recognises the poison values the kernel writes into freed or deleted objects when they
 * turn up in the fault address or a register: the signature of a use-after-free, an
 * uninitialised read or an overrun, depending on the value.
 */

import type { Report } from "../../oops/report.js";
import type { Instruction, Rule } from "../types.js";
import { fullRegister, hex, registerLine } from "../util/registers.js";

interface Poison {
  value: bigint;
  name: string;
  meaning: string;
  /** what finding this value says about the object */
  conclusion: string;
  /** the value may appear with a small field offset added */
  nearby?: bigint;
}

/** include/linux/poison.h (x86-64 POISON_POINTER_DELTA 0xdead000000000000) and slab debugging. */
const POISONS: readonly Poison[] = [
  {
    value: 0xdead000000000100n,
    name: "LIST_POISON1",
    meaning: "the ->next of a list entry already removed with list_del()",
    conclusion: "The entry was used after it was unlinked.",
    nearby: 0x100n,
  },
  {
    value: 0xdead000000000122n,
    name: "LIST_POISON2",
    meaning: "the ->prev of a list entry already removed with list_del()",
    conclusion: "The entry was used after it was unlinked.",
    nearby: 0x100n,
  },
  {
    value: 0xdead000000000200n,
    name: "LIST_POISON2",
    meaning: "the ->prev of a list entry already removed with list_del() (older kernels)",
    conclusion: "The entry was used after it was unlinked.",
    nearby: 0x100n,
  },
  {
    value: 0xdead000000000300n,
    name: "TIMER_ENTRY_STATIC",
    meaning: "a timer that was never set up (static initializer)",
    conclusion: "The timer was used without ever being set up.",
    nearby: 0x40n,
  },
  {
    // include/linux/poison.h since 4.5: ((void *) 0x400 + POISON_POINTER_DELTA)
    value: 0xdead000000000400n,
    name: "TAIL_MAPPING",
    meaning: "the ->mapping of a tail page of a compound page",
    conclusion:
      "A tail page of a compound (huge or high-order) page was used as if it had a mapping of its own: a page pointer that should have been the head page, or a page freed and reused as part of a compound page.",
    nearby: 0x100n,
  },
  {
    value: 0x6b6b6b6b6b6b6b6bn,
    name: "POISON_FREE",
    meaning: "memory of a slab object that was freed (slub_debug poisoning)",
    conclusion: "The object was used after it was freed.",
    nearby: 0x1000n,
  },
  {
    value: 0x5a5a5a5a5a5a5a5an,
    name: "POISON_INUSE",
    meaning: "a slab object that was allocated but never initialised",
    conclusion: "The object was read before it was initialised.",
    nearby: 0x1000n,
  },
  {
    value: 0xa5a5a5a5a5a5a5a5n,
    name: "POISON_END",
    meaning: "the end marker of a poisoned slab object",
    conclusion: "The object's poisoning was read as data: a use after free or an overrun.",
  },
  {
    value: 0x09f911029d74e35bn,
    name: "RED_INACTIVE",
    meaning: "a slab red zone of a free object: an overrun or use-after-free",
    conclusion: "The object was overrun or used after it was freed.",
  },
  {
    value: 0xd84156c5635688bbn,
    name: "RED_ACTIVE",
    meaning: "a slab red zone of a live object: an overrun",
    conclusion: "An access ran past the end of a live object.",
  },
  {
    value: 0xaaaaaaaaaaaaaaaan,
    name: "PAGE_POISON",
    meaning: "a freed page (page_poison)",
    conclusion: "The page was used after it was freed.",
    nearby: 0x1000n,
  },
  {
    value: 0xdead4eadn,
    name: "SPINLOCK_MAGIC",
    meaning: "a spinlock's debug magic, read as a pointer",
    conclusion: "A lock was read where a pointer was expected: a wrong type or a stale pointer.",
  },
  {
    value: 0xdead000000000000n,
    name: "POISON_POINTER_DELTA",
    meaning: "a poisoned pointer",
    conclusion: "A poisoned pointer was followed, usually after a free or an unlink.",
    nearby: 0x1000n,
  },
];

function match(value: bigint): { poison: Poison; offset: bigint } | undefined {
  for (const poison of POISONS) {
    const offset = value - poison.value;
    if (offset === 0n || (poison.nearby !== undefined && offset > 0n && offset < poison.nearby)) {
      return { poison, offset };
    }
  }
  return undefined;
}

/**
 * Registers whose poison value the faulting code put there itself: loaded as a constant
 * before the fault (`movabs $0xdead000000000100,%rax`), or being stored by the faulting
 * instruction (`mov %rdx,0x8(%rax)`, `str x1, [x0, #8]`). That is list_del() writing
 * LIST_POISON into an entry it unlinks, not a use of an unlinked entry.
 */
function writtenByTheCode(report: Report, ins: Instruction | undefined): Set<string> {
  const out = new Set<string>();
  if (!ins) return out;
  for (const reg of Object.keys(ins.constants ?? {})) out.add(fullRegister(report, reg));
  if (ins.access === "write") {
    const x86 = /^mov\w* %(\w+),[^%]*\(/.exec(ins.text);
    const arm = /^st(?:r|ur|p|np|lr)\w* (\w+)(?:, (\w+))?, \[/.exec(ins.text);
    for (const reg of [x86?.[1], arm?.[1], arm?.[2]]) if (reg) out.add(fullRegister(report, reg));
  }
  return out;
}

export const poisonValue: Rule = {
  meta: {
    id: "poison-value",
    type: "problem",
    description: "a fault address or register holds a known poison value",
  },
  run(ctx) {
    const { report } = ctx;
    const candidates: Array<{ where: string; value: bigint; line?: number }> = [];
    if (report.faultAddress) {
      candidates.push({
        where: "the fault address",
        value: BigInt(report.faultAddress),
        line: report.sourceLines.faultAddress,
      });
    }
    const ownWrites = writtenByTheCode(report, ctx.instruction);
    for (const [name, value] of Object.entries(report.registers)) {
      const constant = ctx.instruction?.constants?.[name];
      if (ownWrites.has(name) && (constant === undefined || BigInt(constant) === BigInt(value)))
        continue;
      candidates.push({ where: name, value: BigInt(value), line: registerLine(report, name) });
    }
    // list debugging prints the poisoned pointer it found: "->next is LIST_POISON1 (dead000000000100)"
    for (const { line, text } of [
      ...(report.leadIn ?? []),
      { line: report.header.line, text: report.header.text },
    ]) {
      for (const m of text.matchAll(/\b(?:0x)?([0-9a-f]{16})\b/g)) {
        candidates.push({
          where: "a pointer the kernel printed",
          value: BigInt(`0x${m[1]}`),
          line,
        });
      }
    }
    const seen = new Set<string>();
    for (const { where, value, line } of candidates) {
      const found = match(value);
      if (!found || seen.has(found.poison.name)) continue;
      seen.add(found.poison.name);
      const plus = found.offset > 0n ? ` + ${hex(found.offset)}` : "";
      ctx.finding(
        `${where} is ${hex(value)} = ${found.poison.name}${plus}: ${found.poison.meaning}. ${found.poison.conclusion}`,
        ctx.evidence(line ?? report.header.line),
        { where, value: hex(value), poison: found.poison.name, offset: hex(found.offset) },
      );
    }
  },
};
