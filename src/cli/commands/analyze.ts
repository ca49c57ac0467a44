/**
 * @module cli/commands/analyze
 * `crashlens analyze [--json|--format F] [--verbose] [FILE...|-]`: finds every crash report
 * in the inputs, diagnoses it, and prints it: by default one screen per input (the primary
 * report's what, where, culprit, strongest findings and next steps, one line per other
 * report); with --verbose the full write-up (text or Markdown); a brief summary; or the JSON
 * contract. Exit 0 when the inputs were read (crash or not), 2 when one could not be or when
 * the options contradict each other (the table CONFLICTS).
 */
import type { Command } from "commander";
import pc from "picocolors";
import { analyzeFile, analyzeTextStream } from "../../analyze.js";
import { type DiagnosedReport, diagnose } from "../../diagnose/index.js";
import { UsageError } from "../exit.js";
import { type CliIo, writeOut } from "../io.js";
import { renderDumpEvidence } from "../render/dump-evidence.js";
import { type InputResult, reportsJson } from "../render/json.js";
import { escapeControls, withSafeText } from "../render/safe.js";
import { renderScreens, SCREEN_LINES } from "../render/screen.js";
import { renderSummary } from "../render/summary.js";
import { escapeMarkdown, markdownStyle, renderWriteup, type Style } from "../render/writeup.js";
import type { CliCommand } from "./index.js";

interface AnalyzeOptions {
  json?: boolean;
  format?: string;
  verbose?: boolean;
}

const FORMATS = ["text", "markdown", "brief", "json"] as const;
type Format = (typeof FORMATS)[number];

/**
 * Options that contradict each other: a usage error (exit 2) naming both, never a silent
 * choice of one. `--json --format json` agree and are allowed.
 *
 * | given together                                | why it is refused                                  |
 * |-----------------------------------------------|----------------------------------------------------|
 * | `--json` + `--format text/markdown/brief`     | two outputs asked for                              |
 * | `--verbose` + `--json` (or `--format json`)   | JSON always holds every finding and evidence line  |
 * | `--verbose` + `--format brief`                | the full write-up and the brief summary at once    |
 */
export const CONFLICTS: ReadonlyArray<{
  applies(o: AnalyzeOptions): boolean;
  message(o: AnalyzeOptions): string;
}> = [
  {
    applies: (o) => Boolean(o.json) && o.format !== undefined && o.format !== "json",
    message: (o) => `--json and --format ${o.format} ask for two outputs`,
  },
  {
    applies: (o) => Boolean(o.verbose) && (Boolean(o.json) || o.format === "json"),
    message: (o) =>
      `--verbose does not apply to ${o.json ? "--json" : "--format json"}: JSON always holds every finding and evidence line`,
  },
  {
    applies: (o) => Boolean(o.verbose) && o.format === "brief",
    message: () =>
      "--verbose and --format brief ask for the full write-up and the brief summary at once",
  },
];

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
    code: (t) => c.cyan(`\`${t}\``),
    block: (lines) => lines.map((l) => fitToTerminal(`   ${l}`, terminal.columns)),
    fact: (label, text) => `   ${`${label}:`.padEnd(9)}${text}`,
    quote: (text) => fitToTerminal(`       ${text}`, terminal.columns),
    bullet: "- ",
    indent: "   ",
  };
}

/**
 * The input as the renderers see it: every string from the input (the reports, the input's
 * name and warnings, a dump's description) with its control characters escaped.
 */
function safeInput({ input, result }: InputResult): InputResult {
  const safe: InputResult["result"] = {
    ...result,
    reports: withSafeText(result.reports),
    warnings: withSafeText(result.warnings),
  };
  if (result.dump) safe.dump = withSafeText(result.dump);
  return { input: escapeControls(input), result: safe };
}

function heading(input: string, reports: number, lines: number): string {
  const found =
    reports === 0
      ? "no crash report found"
      : `${reports} crash ${reports === 1 ? "report" : "reports"}`;
  return `${input === "-" ? "stdin" : input}: ${found} in ${lines} lines`;
}

function renderText(
  inputs: readonly InputResult[],
  format: "text" | "markdown",
  verbose: boolean,
  terminal: Terminal,
): string {
  const style = format === "markdown" ? markdownStyle : terminalStyle(terminal);
  const out: string[] = [];
  for (const { input, result } of inputs.map(safeInput)) {
    if (out.length > 0) out.push("");
    const title = heading(input, result.reports.length, result.lineCount);
    out.push(format === "markdown" ? `## ${title}` : style.dim(title));
    const dump = result.dump;
    const head: string[] = [];
    if (dump) {
      const when = dump.crashTime ? `, crashed ${dump.crashTime}` : "";
      const cpu = dump.panicCpu !== undefined ? `, panic on CPU ${dump.panicCpu}` : "";
      head.push(
        style.dim(
          `vmcore: ${dump.description}; kernel log (${dump.log ?? "?"}) read from the dump: ${dump.logRecords} records${when}${cpu}`,
        ),
      );
      if (dump.evidence !== undefined)
        head.push(...renderDumpEvidence(dump.evidence, verbose, input).map((l) => style.dim(l)));
    }
    const notes = [...new Set(result.warnings)].map((w) => style.dim(`note: ${w}`));
    out.push(...head);
    const reports = result.reports as DiagnosedReport[];
    if (reports.length > 0) out.push("");
    if (verbose) {
      reports.forEach((report, i) => {
        if (i > 0) out.push("");
        out.push(renderWriteup(report, i, style));
      });
    } else {
      // the heading, the vmcore line, the blank line and the notes share the screen
      const budget = SCREEN_LINES - 2 - head.length - notes.length;
      out.push(...renderScreens(reports, style, budget));
    }
    if (notes.length) out.push(...(reports.length > 0 ? [""] : []), ...notes);
  }
  const text = `${out.join("\n").trimEnd()}\n`;
  return format === "markdown" ? escapeMarkdown(text) : text;
}

function renderBrief(inputs: readonly InputResult[], terminal: Terminal): string {
  const colors = pc.createColors(terminal.color);
  const out: string[] = [];
  for (const { input, result } of inputs.map(safeInput)) {
    out.push(colors.dim(heading(input, result.reports.length, result.lineCount)));
    result.reports.forEach((report, i) => {
      out.push(renderSummary(report, i, colors), "");
    });
    for (const warning of result.warnings) out.push(colors.dim(`note: ${warning}`));
  }
  return `${out.join("\n").trimEnd()}\n`;
}

type Renderer = (inputs: readonly InputResult[], verbose: boolean, terminal: Terminal) => string;

const renderers: Record<Format, Renderer> = {
  text: (inputs, verbose, terminal) => renderText(inputs, "text", verbose, terminal),
  markdown: (inputs, verbose, terminal) => renderText(inputs, "markdown", verbose, terminal),
  brief: (inputs, _verbose, terminal) => renderBrief(inputs, terminal),
  json: (inputs) => reportsJson(inputs),
};

/** The output format the options ask for, or the usage error they make. */
export function formatOf(options: AnalyzeOptions): Format {
  if (options.format !== undefined && !(FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError(`unknown format "${options.format}" (choose ${FORMATS.join(", ")})`);
  }
  for (const conflict of CONFLICTS) {
    if (conflict.applies(options)) throw new UsageError(conflict.message(options));
  }
  return options.json ? "json" : ((options.format ?? "text") as Format);
}

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
      .option(
        "-v, --verbose",
        "text and markdown: the full write-up (evidence, decoded listing, every finding, the stack) instead of one screen",
      )
      .action(async (inputs: string[], options: AnalyzeOptions) => {
        const format = formatOf(options);
        const results: InputResult[] = [];
        for (const input of inputs.length > 0 ? inputs : ["-"])
          results.push(await readInput(input, io));
        const verbose = Boolean(options.verbose);
        await writeOut(io.stdout, renderers[format](results, verbose, terminalOf(io)));
      });
  },
};
