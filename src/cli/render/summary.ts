/**
 * @module cli/render/summary
 * The human-readable form of a report for a terminal: what crashed, where, who, which
 * kernel, and the stack with the frame that names the bug marked.
 */
import type { Colors } from "picocolors/types.js";
import type { Frame, Location, Report } from "../../oops/report.js";
import { titleFrame } from "../../oops/title/sanitize.js";

/**
 * The title as people read it. syzkaller puts "corrupted" where no frame could be named;
 * readers take that as a claim that something was corrupted, so text output drops it and
 * says "(report incomplete …)" instead. JSON keeps syzkaller's title.
 */
export function displayTitle(report: Pick<Report, "title" | "corrupted">): string {
  return report.corrupted ? report.title.replace(/ in corrupted\b/g, "") : report.title;
}

export function formatLocation(loc: Location | undefined): string {
  if (!loc?.symbol) return loc?.address ?? "?";
  const offset = loc.offset !== undefined ? `+0x${loc.offset.toString(16)}` : "";
  const size = loc.size !== undefined ? `/0x${loc.size.toString(16)}` : "";
  const module = loc.module ? ` [${loc.module}]` : "";
  return `${loc.symbol}${offset}${size}${module}`;
}

function who(report: Report): string {
  const { task } = report;
  const parts: string[] = [];
  if (task.comm !== undefined) parts.push(`"${task.comm}"`);
  if (task.pid !== undefined) parts.push(`pid ${task.pid}`);
  if (task.cpu !== undefined) parts.push(`CPU ${task.cpu}`);
  if (task.workqueue) parts.push(`workqueue ${task.workqueue}`);
  return parts.join(", ") || "unknown task";
}

function kernelLine(report: Report): string {
  const { kernel } = report;
  const parts = [kernel.release ?? "unknown release"];
  if (kernel.tainted) parts.push(`tainted ${kernel.tainted}`);
  if (kernel.hardware) parts.push(`on ${kernel.hardware}`);
  return parts.join(", ");
}

function frameLine(frame: Frame, marked: boolean, c: Colors): string {
  const mark = marked ? c.bold(c.red("→ ")) : "  ";
  const unreliable = frame.reliable ? "" : c.dim("? ");
  const context = frame.context === "task" ? "" : c.dim(` <${frame.context}>`);
  const text = formatLocation(frame);
  return `${mark}${unreliable}${marked ? c.bold(text) : text}${context}`;
}

/** A few lines per report; long traces are shortened around the marked frame. */
export function renderSummary(report: Report, index: number, c: Colors, maxFrames = 16): string {
  const out: string[] = [];
  const corrupted = report.corrupted ? c.yellow(` (incomplete: ${report.corruptedReason})`) : "";
  out.push(`${c.bold(`#${index + 1} ${displayTitle(report)}`)}${corrupted}`);
  out.push(`   kind:   ${report.kind}    lines ${report.lines.start}-${report.lines.end}`);
  if (report.ip) out.push(`   where:  ${formatLocation(report.ip)}`);
  if (report.faultAddress) out.push(`   fault:  address ${report.faultAddress}`);
  out.push(`   who:    ${who(report)}`);
  out.push(`   kernel: ${kernelLine(report)}`);
  if (report.panic) out.push(`   panic:  ${report.panic.message}`);
  const frame = titleFrame(report.title);
  if (report.trace.length > 0) {
    out.push("   trace:");
    const markIndex = report.trace.findIndex((f) => f.reliable && f.symbol === frame);
    const shown = report.trace.filter((f, i) => f.reliable || i === markIndex).slice(0, maxFrames);
    // a frame printed twice in a row (crash's bt across an exception frame) is one line
    const lines: Array<{ text: string; times: number }> = [];
    for (const f of shown) {
      const text = frameLine(f, f === report.trace[markIndex], c);
      const last = lines[lines.length - 1];
      if (last?.text === text) last.times++;
      else lines.push({ text, times: 1 });
    }
    for (const { text, times } of lines)
      out.push(`     ${text}${times > 1 ? c.dim(` (×${times})`) : ""}`);
    const hidden = report.trace.length - shown.length;
    if (hidden > 0) out.push(c.dim(`       … ${hidden} more frame(s), unreliable ones hidden`));
  }
  if (report.repeats?.length) {
    const listed = report.repeats.slice(0, 10).map((r) => r.start);
    const more = (report.repeatCount ?? report.repeats.length) - listed.length;
    const tail = more > 0 ? ` and ${more} more time(s)` : "";
    out.push(c.dim(`   printed again at lines ${listed.join(", ")}${tail}`));
  }
  for (const warning of report.warnings) out.push(c.dim(`   note: ${warning}`));
  return out.join("\n");
}
