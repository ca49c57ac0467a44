/**
 * One diagnosed report as the JSON contract gives it: the culprit and why, the faulting
 * instruction, the findings with their evidence linked to the log, known bugs, the stack and
 * the log itself. Shared by the report page and the paste box.
 */
import type { ComponentChildren } from "preact";
import { useMemo } from "preact/hooks";
import type { DiagnosedReport } from "../api.js";
import { Link } from "../router.js";
import { ReportKnownBugs } from "./known-bugs.js";
import { LogView } from "./log-view.js";
import { KindBadge } from "./status-badge.js";
import { Prose, Text } from "./text.js";

type Location = NonNullable<DiagnosedReport["ip"]>;

/** "run_posix_cpu_timers+0xa4/0x840 [xfs]" */
function place(at: Omit<Location, "line">): string {
  const offset = at.offset === undefined ? "" : `+0x${at.offset.toString(16)}`;
  const size = at.size === undefined ? "" : `/0x${at.size.toString(16)}`;
  const module = at.module ? ` [${at.module}]` : "";
  return `${at.symbol ?? at.address ?? "?"}${offset}${size}${module}`;
}

interface Props {
  report: DiagnosedReport;
  /** the submitted text the report's line numbers refer to */
  log: string | undefined;
  /** line ids are `${idPrefix}L${n}`: unique when a page shows several reports */
  idPrefix: string;
  target: string;
  heading: "h1" | "h2";
  /** facts about the submission (host, labels, time) shown with the report's own */
  facts?: Array<[string, ComponentChildren]>;
}

function Culprit({ report }: { report: DiagnosedReport }) {
  const culprit = report.culprit;
  return (
    <section class="card culprit">
      <h3>Culprit</h3>
      {culprit ? (
        <>
          <p class="culprit-name mono" data-culprit>
            <Text value={culprit.symbol} />
            {culprit.module && (
              <span class="module">
                {" "}
                [<Text value={culprit.module} />]
              </span>
            )}
          </p>
          <p class="why">
            <Prose value={culprit.reason} />
          </p>
        </>
      ) : (
        <p class="why">
          No culprit can be named{report.noCulprit ? ": " : "."}
          {report.noCulprit && <Prose value={report.noCulprit} />}
        </p>
      )}
    </section>
  );
}

function Instruction({ report, lineLink }: { report: DiagnosedReport; lineLink: LineLink }) {
  const instruction = report.instruction;
  if (!instruction) return null;
  return (
    <section class="card">
      <h3>Faulting instruction</h3>
      <p class="instruction">
        <code class="mono strong" data-instruction>
          <Text value={instruction.text} />
        </code>
        {instruction.access && instruction.access !== "none" && (
          <span class="badge">{instruction.access}</span>
        )}
        <span class="muted">
          {instruction.from === "code" ? "decoded from the Code: bytes, " : "from crash dis, "}
          {lineLink(instruction.line)}
        </span>
      </p>
      {instruction.intel && (
        <p class="muted small">
          Intel: <code>{instruction.intel}</code>
        </p>
      )}
      {instruction.source && (
        <p class="muted small">
          Source: <code>{instruction.source}</code>
        </p>
      )}
      {instruction.listing && (
        <pre class="listing" data-listing>
          <Text value={instruction.listing} />
        </pre>
      )}
    </section>
  );
}

function Findings({ report, lineLink }: { report: DiagnosedReport; lineLink: LineLink }) {
  return (
    <section class="card">
      <h3>Findings ({report.findings.length})</h3>
      {report.findings.length === 0 && <p class="muted">No rule established anything more.</p>}
      <ol class="findings">
        {report.findings.map((finding, i) => (
          <li key={`${finding.id}-${i}`}>
            <p>
              <Prose value={finding.summary} /> <span class="rule">{finding.id}</span>
            </p>
            <ul class="evidence">
              {finding.evidence.map((evidence) => (
                <li key={evidence.line}>
                  {lineLink(evidence.line, "evidence-link")}
                  <code>
                    <Text value={evidence.text.trim()} />
                  </code>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Stack({ report, lineLink }: { report: DiagnosedReport; lineLink: LineLink }) {
  if (report.trace.length === 0) return null;
  return (
    <section class="card stack">
      <h3>Stack ({report.trace.length} frames)</h3>
      <ol class="frames">
        {report.trace.map((frame, i) => (
          <li key={`${frame.line}-${i}`} class={frame.reliable ? "" : "unreliable"}>
            <code
              title={frame.reliable ? undefined : "not proven by the unwinder (printed with ?)"}
            >
              {frame.reliable ? "" : "? "}
              <Text value={place(frame)} />
            </code>
            {frame.context !== "task" && <span class="badge">{frame.context}</span>}
            {frame.inline && <span class="badge">inlined</span>}
            <span class="frame-line">{lineLink(frame.line)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

type LineLink = (line: number, className?: string) => ComponentChildren;

export function ReportView({ report, log, idPrefix, target, heading: Heading, facts }: Props) {
  const evidence = useMemo(
    () => new Set(report.findings.flatMap((f) => f.evidence.map((e) => e.line))),
    [report],
  );
  const lineLink: LineLink = (line, className = "line-link") =>
    log === undefined ? (
      <span class={className}>line {line}</span>
    ) : (
      <Link href={`#${idPrefix}L${line}`} class={className} data-evidence-line={line}>
        line {line}
      </Link>
    );
  const task = report.task;
  const kernel = report.kernel;
  const rows: Array<[string, ComponentChildren]> = [
    ...(facts ?? []),
    [
      "Task",
      task.comm === undefined && task.pid === undefined ? (
        "—"
      ) : (
        <>
          {task.comm !== undefined && (
            <code data-comm>
              <Text value={task.comm} />
            </code>
          )}
          {task.pid !== undefined && ` pid ${task.pid}`}
          {task.cpu !== undefined && `, CPU ${task.cpu}`}
        </>
      ),
    ],
    ["Kernel", kernel.release ? <Text value={kernel.release} /> : "—"],
    ["Tainted", kernel.tainted ? <Text value={kernel.tainted} /> : "no"],
    ["Where", report.ip ? <Text value={place(report.ip)} /> : "—"],
    ["Fault address", report.faultAddress ?? "—"],
    ["Arch", report.arch],
    ["Input lines", `${report.lines.start}–${report.lines.end}`],
  ];
  return (
    <article class="report">
      <header class="report-head">
        <Heading class="report-title">
          <Text value={report.title} />
        </Heading>
        <div class="badges">
          <KindBadge kind={report.kind} />
          {report.corrupted && (
            <span class="badge warn" title={report.corruptedReason}>
              corrupted
            </span>
          )}
        </div>
      </header>
      <div class="report-grid">
        <div class="main-column">
          <Culprit report={report} />
          <Findings report={report} lineLink={lineLink} />
          <Instruction report={report} lineLink={lineLink} />
          <section class="card">
            <h3>Known bugs</h3>
            <ReportKnownBugs bugs={report.knownBugs ?? []} />
          </section>
          {report.nextSteps.length > 0 && (
            <section class="card">
              <h3>Next steps</h3>
              <ul class="steps">
                {report.nextSteps.map((step) => (
                  <li key={step}>
                    <Prose value={step} />
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
        <aside class="side-column">
          <section class="card">
            <h3>Facts</h3>
            <dl class="facts">
              {rows.map(([term, value]) => (
                <div key={term}>
                  <dt>{term}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
            {report.warnings && report.warnings.length > 0 && (
              <ul class="notes small muted">
                {report.warnings.map((warning) => (
                  <li key={warning}>
                    <Prose value={warning} />
                  </li>
                ))}
              </ul>
            )}
          </section>
          <Stack report={report} lineLink={lineLink} />
        </aside>
      </div>
      {log !== undefined && (
        <section class="card log-card">
          <h3>
            Log{" "}
            <span class="muted small">
              report at lines {report.lines.start}–{report.lines.end}, {evidence.size} evidence{" "}
              {evidence.size === 1 ? "line" : "lines"} marked
            </span>
          </h3>
          <LogView
            text={log}
            span={report.lines}
            evidence={evidence}
            target={target}
            idPrefix={idPrefix}
          />
        </section>
      )}
    </article>
  );
}
