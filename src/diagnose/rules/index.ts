/**
 * @module diagnose/rules
 * The diagnosis rules by id, sorted. Rules never import each other; shared helpers are in
 * `diagnose/util/`.
 */
import type { Rule } from "../types.js";
import { bugAssertion } from "./bug-assertion.js";
import { crashSessionEvidence } from "./crash-session-evidence.js";
import { errorCode } from "./error-code.js";
import { faultingInstruction } from "./faulting-instruction.js";
import { interruptedContext } from "./interrupted-context.js";
import { lockupConsequence } from "./lockup-consequence.js";
import { nullArgument } from "./null-argument.js";
import { nullDeref } from "./null-deref.js";
import { poisonValue } from "./poison-value.js";
import { priorWarning } from "./prior-warning.js";
import { stuckCpuStack } from "./stuck-cpu-stack.js";
import { suspectModule } from "./suspect-module.js";
import { virtualized } from "./virtualized.js";

export const rules: Readonly<Record<string, Rule>> = {
  "bug-assertion": bugAssertion,
  "crash-session-evidence": crashSessionEvidence,
  "error-code": errorCode,
  "faulting-instruction": faultingInstruction,
  "interrupted-context": interruptedContext,
  "lockup-consequence": lockupConsequence,
  "null-argument": nullArgument,
  "null-deref": nullDeref,
  "poison-value": poisonValue,
  "prior-warning": priorWarning,
  "stuck-cpu-stack": stuckCpuStack,
  "suspect-module": suspectModule,
  virtualized,
};

/** The order findings are printed in: the cause first, then how we know, then context. */
export const ruleOrder: readonly string[] = [
  "lockup-consequence",
  "stuck-cpu-stack",
  "null-argument",
  "null-deref",
  "poison-value",
  "bug-assertion",
  "suspect-module",
  "faulting-instruction",
  "error-code",
  "crash-session-evidence",
  "interrupted-context",
  "prior-warning",
  "virtualized",
];
