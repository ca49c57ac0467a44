/**
 * @module cli/commands/analyze
 * `crashlens analyze [--json] [FILE...|-]`: finds and explains every crash report in the
 * inputs. Exit 0 when the inputs were read (crash or not), 2 when one could not be read.
 */
import type { Command } from "commander";
import pc from "picocolors";
import { analyzeTextFile, analyzeTextStream } from "../../analyze.js";
import { type InputResult, reportsJson } from "../render/json.js";
import { renderSummary } from "../render/summary.js";
import type { CliCommand } from "./index.js";

interface AnalyzeOptions {
  json?: boolean;
  format?: string;
}

const FORMATS = ["text", "json"] as const;

async function readInput(input: string): Promise<InputResult> {
  const result =
    input === "-" ? await analyzeTextStream(process.stdin) : await analyzeTextFile(input);
  return { input, result };
}

function renderText(inputs: readonly InputResult[]): string {
  const colors = pc.createColors(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  const out: string[] = [];
  for (const { input, result } of inputs) {
    const count = result.reports.length;
    const heading = `${input === "-" ? "stdin" : input}: ${count === 0 ? "no crash report found" : `${count} crash report(s)`} in ${result.lineCount} lines`;
    out.push(colors.dim(heading));
    result.reports.forEach((report, i) => {
      out.push(renderSummary(report, i, colors), "");
    });
    for (const warning of result.warnings) out.push(colors.dim(`note: ${warning}`));
  }
  return `${out.join("\n").trimEnd()}\n`;
}

export const analyzeCommand: import("./index.js").CliCommand = {
  register(program: Command) {
    program
      .command("analyze")
      .description("find and explain the crash reports in logs, crash sessions and tickets")
      .argument("[inputs...]", "files to read; - or nothing for stdin")
      .option("--json", "print the reports as JSON (the documented contract)")
      .option("--format <format>", `output format: ${FORMATS.join(", ")}`, "text")
      .action(async (inputs: string[], options: AnalyzeOptions) => {
        const format = options.json ? "json" : (options.format ?? "text");
        if (!(FORMATS as readonly string[]).includes(format)) {
          const { UsageError } = await import("../exit.js");
          throw new UsageError(`unknown format "${format}" (choose ${FORMATS.join(", ")})`);
        }
        const results: InputResult[] = [];
        for (const input of inputs.length > 0 ? inputs : ["-"])
          results.push(await readInput(input));
        process.stdout.write(format === "json" ? reportsJson(results) : renderText(results));
      });
  },
} satisfies CliCommand;
