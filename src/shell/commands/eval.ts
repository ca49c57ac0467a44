/**
 * @module shell/commands/eval
 * `eval`: crash's expression evaluator and its four-radix block (hexadecimal with a KB/MB/GB
 * shorthand, decimal with the signed value when the top bit is set, octal, 64-bit binary, and
 * with `-b` the bits set).
 */

import { evaluateWithSymbols } from "../address.js";
import { type ShellCommand, ShellUsageError } from "../command.js";

const KB = 1n << 10n;
const MB = 1n << 20n;
const GB = 1n << 30n;

/** crash's eval output for a 64-bit value */
export function formatEval(value: bigint, bits: boolean): string {
  let size = "";
  if (value >= KB) {
    if (value % GB === 0n) size = `(${value / GB}GB)`;
    else if (value % MB === 0n) size = `(${value / MB}MB)`;
    else if (value % KB === 0n) size = `(${value / KB}KB)`;
  }
  const signed = BigInt.asIntN(64, value);
  const lines = [
    `hexadecimal: ${value.toString(16)}  ${size}`,
    `    decimal: ${value.toString(10)}  ${signed < 0n ? `(${signed})` : ""}`,
    `      octal: ${value.toString(8)}`,
    `     binary: ${value.toString(2).padStart(64, "0")}`,
  ];
  if (bits) {
    let set = "";
    for (let i = 63; i >= 0; i--) if ((value >> BigInt(i)) & 1n) set += `${i} `;
    lines.push(`   bits set: ${set}`);
  }
  return `${lines.join("\n")}\n`;
}

export const evalCommand: ShellCommand = {
  name: "eval",
  summary: "evaluate",
  usage: "[-b][-l] (expression) | value",
  options: [
    { flag: "b", description: "also list the bit positions set in the result" },
    { flag: "l", description: "64-bit operands and result (always so on 64-bit kernels)" },
  ],
  help: `Evaluates an expression or a single value and prints the result in hexadecimal,
decimal, octal and binary. An exact number of gigabytes, megabytes or kilobytes is also
shown next to the hexadecimal value, and a value with the top bit set also in signed decimal.
Operators: + - * / % << >> & | ^ ~ and parentheses, with C's precedence; put the
expression in parentheses when it uses |, << or >> (the shell would take them otherwise).
Numbers: 0x... is hexadecimal, digits alone are decimal, digits with a-f are hexadecimal;
a k, m or g suffix multiplies by 1024, 1 MiB or 1 GiB. Symbols stand for their addresses.`,
  examples: `crashlens> eval (1 << 20) + 1024
hexadecimal: 100400  (1025KB)
    decimal: 1049600
      octal: 4002000
     binary: 0000000000000000000000000000000000000000000100000000010000000000`,
  async run(ctx, args) {
    if (args.positional.length === 0) throw new ShellUsageError("");
    const value = await evaluateWithSymbols(ctx, args.positional.join(" "));
    ctx.out.write(formatEval(value, args.has("b")));
  },
};
