/**
 * @module diagnose/types
 * The shapes of diagnosis: findings with evidence, rules that produce them (shaped like
 * ESLint rules: metadata plus a `run`), and what a rule may look at.
 */
import type { Report } from "../oops/report.js";

export interface Evidence {
  /** 1-based input line */
  line: number;
  /** the line as it appears in the input */
  text: string;
}

export interface Finding {
  /** the rule id; part of the public contract */
  id: string;
  /** one sentence stating what was established */
  summary: string;
  evidence: Evidence[];
  /** structured facts behind the summary, per rule */
  data?: Record<string, unknown>;
}

/** The instruction that faulted, from the Code: line or a pasted `crash dis` listing. */
export interface Instruction {
  /** AT&T, lower case, one space after the mnemonic: "mov %rsi,(%rax)" */
  text: string;
  intel?: string;
  mnemonic: string;
  access?: "read" | "write" | "read-write" | "none";
  base?: string;
  index?: string;
  scale?: number;
  displacement?: number;
  /** "code" (decoded Code: bytes) or "disassembly" (crash dis) */
  from: "code" | "disassembly";
  /** source file:line when `dis -l` printed it */
  source?: string;
  line: number;
  /** objdump-like listing around the fault, faulting line marked (Code: decoding only) */
  listing?: string;
  /** instructions before the fault in the same function write these registers */
  writtenBefore?: string[];
  /** the code shown starts inside the function: `writtenBefore` lists only the writes seen,
   * and a register missing from it may still have been changed earlier */
  writtenBeforePartial?: boolean;
  /** registers the function loaded with a constant before the fault (`movabs $0x…,%rax`), as
   * far as the decoded code shows: values it wrote itself, not data it read */
  constants?: Record<string, string>;
  /** a BUG()/WARN() trap: the instruction is the assertion mechanism itself */
  trapOnly?: boolean;
}

export interface Culprit {
  symbol: string;
  module: string | null;
  /** why this frame is blamed */
  reason: string;
  line?: number;
}

export interface RuleMeta {
  id: string;
  /** problem: a cause or defect; context: circumstances worth knowing */
  type: "problem" | "context";
  description: string;
}

export interface RuleContext {
  readonly report: Readonly<Report>;
  /** every report of the same input, in input order */
  readonly reports: readonly Readonly<Report>[];
  readonly instruction?: Readonly<Instruction>;
  /** evidence for an input line (its text as read) */
  evidence(line: number | undefined): Evidence[];
  /** records a finding; refused (not recorded) without evidence */
  finding(summary: string, evidence: Evidence[], data?: Record<string, unknown>): void;
}

export interface Rule {
  meta: RuleMeta;
  run(ctx: RuleContext): void;
}

/** A report with its diagnosis, as the JSON contract prints it. */
export interface Diagnosis {
  instruction?: Instruction;
  culprit?: Culprit;
  /** why no culprit can be named, when none is ("culprit: none — <why>") */
  noCulprit?: string;
  findings: Finding[];
  nextSteps: string[];
  /** known upstream bugs this report may be, best first (knowledge/known-bugs) */
  knownBugs?: import("../knowledge/known-bugs.js").KnownBug[];
}
