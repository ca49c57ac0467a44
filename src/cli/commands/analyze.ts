/**
 * @module cli/commands/analyze
 * `crashlens analyze [--json|--format F] [FILE...|-]`: finds every crash report in the
 * inputs, diagnoses it, and prints the write-up (text or Markdown), a brief summary, or the
 * JSON contract. Exit 0 when the inputs were read (crash or not), 2 when one could not be.
 */
import type { Command } from "commander";
import pc from "picocolors";
import { analyzeFile, analyzeTextStream } from "../../analyze.js";
import { type DiagnosedReport, diagnose } from "../../diagnose/index.js";
import { UsageError } from "../exit.js";
import { type CliIo, writeOut } from "../io.js";
import { type InputResult, reportsJson } from "../render/json.js";
import { renderSummary } from "../render/summary.js";
import { escapeMarkdown, markdownStyle, renderWriteup, type Style } from "../render/writeup.js";
import type { CliCommand } from "./index.js";

interface AnalyzeOptions {
  json?: boolean;
  format?: string;
}

const FORMATS = ["text", "markdown", "brief", "json"] as const;
type Format = (typeof FORMATS)[number];

async function readInput(input: string, io: CliIo): Promise<InputResult> {
  const result = input === "-" ? await analyzeTextStream(io.stdin) : await analyzeFile(input);
  await diagnose(result);
  return { input, result };
}

/** What the output goes to: colour on a terminal (unless NO_COLOR), and its width. */
interface Terminal {
  color: boolean;
  columns: number | undefined;
}

function terminalOf(io: CliIo): Terminal {
  const tty = Boolean(io.stdout.isTTY);
  return { color: tty && !io.env.NO_COLOR, columns: tty ? io.stdout.columns : undefined };
}

/** On a terminal, quoted log lines are cut to its width; piped output keeps them whole. */
function fitToTerminal(line: string, columns: number | undefined): string {
  if (!columns || line.length <= columns) return line;
  return `${line.slice(0, Math.max(columns - 1, 20))}…`;
}

function terminalStyle(terminal: Terminal): Style {
  const c = pc.createColors(terminal.color);
  return {
    heading: (t) => c.bold(c.underline(t)),
    bold: c.bold,
    dim: c.dim,
    mark: (t) => c.bold(c.red(t)),
    code: c.cyan,
    block: (lines) => lines.map((l) => fitToTerminal(`   ${l}`, terminal.columns)),
    bullet: "- ",
    indent: "   ",
  };
}

function heading(input: string, reports: number, lines: number): string {
  const found = reports === 0 ? "no crash report found" : `${reports} crash report(s)`;
  return `${input === "-" ? "stdin" : input}: ${found} in ${lines} lines`;
}

function renderWriteups(
  inputs: readonly InputResult[],
  format: "text" | "markdown",
  terminal: Terminal,
): string {
  const style = format === "markdown" ? markdownStyle : terminalStyle(terminal);
  const out: string[] = [];
  for (const { input, result } of inputs) {
    const title = heading(input, result.reports.length, result.lineCount);
    out.push(format === "markdown" ? `## ${title}` : style.dim(title));
    const dump = (result as InputResult["result"]).dump;
    if (dump) {
      const when = dump.crashTime ? `, crashed ${dump.crashTime}` : "";
      const cpu = dump.panicCpu !== undefined ? `, panic on CPU ${dump.panicCpu}` : "";
      out.push(
        style.dim(
          `vmcore: ${dump.description}; kernel log (${dump.log ?? "?"}) read from the dump: ${dump.logRecords} records${when}${cpu}`,
        ),
      );
    }
    out.push("");
    result.reports.forEach((report, i) => {
      out.push(renderWriteup(report as DiagnosedReport, i, style), "");
    });
    for (const warning of result.warnings) out.push(style.dim(`note: ${warning}`));
  }
  const text = `${out.join("\n").trimEnd()}\n`;
  return format === "markdown" ? escapeMarkdown(text) : text;
}

function renderBrief(inputs: readonly InputResult[], terminal: Terminal): string {
  const colors = pc.createColors(terminal.color);
  const out: string[] = [];
  for (const { input, result } of inputs) {
    out.push(colors.dim(heading(input, result.reports.length, result.lineCount)));
    result.reports.forEach((report, i) => {
      out.push(renderSummary(report, i, colors), "");
    });
    for (const warning of result.warnings) out.push(colors.dim(`note: ${warning}`));
  }
  return `${out.join("\n").trimEnd()}\n`;
}

const renderers: Record<Format, (inputs: readonly InputResult[], terminal: Terminal) => string> = {
  text: (inputs, terminal) => renderWriteups(inputs, "text", terminal),
  markdown: (inputs, terminal) => renderWriteups(inputs, "markdown", terminal),
  brief: renderBrief,
  json: reportsJson,
};

export const analyzeCommand: CliCommand = {
  register(program: Command, { io }) {
    program
      .command("analyze")
      .description(
        "find, explain and diagnose the crash reports in logs, crash sessions and tickets",
      )
      .argument("[inputs...]", "logs, tickets, crash sessions or vmcores; - or nothing for stdin")
      .option("--json", "print the reports as JSON (the documented contract)")
      .option("--format <format>", `output format: ${FORMATS.join(", ")} (default: text)`)
      .action(async (inputs: string[], options: AnalyzeOptions) => {
        if (options.json && options.format !== undefined && options.format !== "json") {
          throw new UsageError(`--json and --format ${options.format} ask for two outputs`);
        }
        const format = options.json ? "json" : (options.format ?? "text");
        if (!(FORMATS as readonly string[]).includes(format)) {
          throw new UsageError(`unknown format "${format}" (choose ${FORMATS.join(", ")})`);
        }
        const results: InputResult[] = [];
        for (const input of inputs.length > 0 ? inputs : ["-"])
          results.push(await readInput(input, io));
        await writeOut(io.stdout, renderers[format as Format](results, terminalOf(io)));
      });
  },
};
