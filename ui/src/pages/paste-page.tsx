/** `/paste`: analyse a pasted log on the server without storing it (POST /api/analyze). */
import { useEffect, useRef, useState } from "preact/hooks";
import { type AnalyzeResult, api } from "../api.js";
import { Problem } from "../components/problem.js";
import { ReportView } from "../components/report-view.js";
import { plural } from "../format.js";

type Outcome =
  | { state: "idle" }
  | { state: "busy" }
  | { state: "done"; text: string; result: AnalyzeResult }
  | { state: "failed"; error: Error };

export function PastePage({ target }: { target: string }) {
  const [text, setText] = useState("");
  const [outcome, setOutcome] = useState<Outcome>({ state: "idle" });
  const heading = useRef<HTMLHeadingElement>(null);
  // a new result: bring it into view and move the focus there (screen readers announce it)
  useEffect(() => {
    if (outcome.state !== "done") return;
    heading.current?.focus({ preventScroll: true });
    heading.current?.scrollIntoView({ block: "start" });
  }, [outcome]);
  const analyse = () => {
    if (!text.trim() || outcome.state === "busy") return;
    const submitted = text;
    setOutcome({ state: "busy" });
    api.analyze(submitted).then(
      (result) => setOutcome({ state: "done", text: submitted, result }),
      (error: Error) => setOutcome({ state: "failed", error }),
    );
  };
  return (
    <main class="page">
      <div class="page-head">
        <h1>Paste a log</h1>
        <p class="muted">
          A console log, journal, vmcore-dmesg or a ticket with a crash in it. It is analysed on the
          server and not stored.
        </p>
      </div>
      <form
        class="card paste"
        onSubmit={(event) => {
          event.preventDefault();
          analyse();
        }}
      >
        <label class="field">
          <span>Log</span>
          <textarea
            name="log"
            rows={14}
            spellcheck={false}
            placeholder="[  123.456789] BUG: kernel NULL pointer dereference, address: 0000000000000008…"
            value={text}
            onInput={(event) => setText(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
                event.preventDefault();
                analyse();
              }
            }}
            aria-keyshortcuts="Control+Enter"
          />
        </label>
        <div class="actions">
          <button
            type="submit"
            class="button primary"
            disabled={!text.trim() || outcome.state === "busy"}
          >
            {outcome.state === "busy" ? "Analysing…" : "Analyse"}
          </button>
          <span class="muted small">
            <kbd>Ctrl</kbd> <kbd>Enter</kbd> in the box
          </span>
          {text && (
            <button
              type="button"
              class="button ghost"
              onClick={() => {
                setText("");
                setOutcome({ state: "idle" });
              }}
            >
              Clear
            </button>
          )}
        </div>
      </form>
      {outcome.state === "failed" && (
        <Problem error={outcome.error} doing="The server could not analyse it" />
      )}
      {outcome.state === "done" && (
        <section class="results">
          <h2 class="result-count" data-result-count ref={heading} tabIndex={-1}>
            {outcome.result.reports.length === 0
              ? "No crash report found in this text."
              : `${plural(outcome.result.reports.length, "crash report")} found`}
          </h2>
          {outcome.result.reports.map((report, i) => (
            <ReportView
              key={`${i}-${report.lines.start}`}
              report={report}
              log={outcome.text}
              idPrefix={`r${i + 1}-`}
              target={target}
              heading="h2"
            />
          ))}
        </section>
      )}
    </main>
  );
}
