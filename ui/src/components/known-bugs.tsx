/** Known upstream bugs: one report's matches, or a cluster's matches counted over its reports. */
import type { Cluster, DiagnosedReport } from "../api.js";
import { Text } from "./text.js";

type ReportBug = NonNullable<DiagnosedReport["knownBugs"]>[number];

function Confidence({ value }: { value: string }) {
  return <span class={`badge confidence-${value}`}>{value}</span>;
}

/**
 * `exact` and `likely` matches are claims the evidence supports; `possible` ones only share
 * a function or words with the record. As on the CLI's default screen, only the first are
 * shown as known bugs; the others wait, folded, for whoever wants to look further.
 */
function Weighed<T extends { confidence: string }>({
  bugs,
  table,
  none,
}: {
  bugs: readonly T[];
  table: (bugs: readonly T[]) => preact.ComponentChildren;
  none: string;
}) {
  const strong = bugs.filter((b) => b.confidence !== "possible");
  const weak = bugs.filter((b) => b.confidence === "possible");
  return (
    <>
      {strong.length > 0 ? table(strong) : <p class="muted">{none}</p>}
      {weak.length > 0 && (
        <details class="weak-matches">
          <summary>
            {weak.length} weaker {weak.length === 1 ? "candidate" : "candidates"} (possible: a
            shared function or words, not a proof)
          </summary>
          {table(weak)}
        </details>
      )}
    </>
  );
}

/** The columns both tables share (bug, fix, confidence), then one of their own. */
function bugTable<T extends { id: string; subject: string; confidence: string }>(last: {
  head: string;
  class: string;
  cell: (bug: T) => preact.ComponentChildren;
  /** a line under the fix's subject */
  detail?: (bug: T) => string;
}) {
  return (bugs: readonly T[]) => (
    <table class="list compact">
      <thead>
        <tr>
          <th scope="col">Bug</th>
          <th scope="col">Fix</th>
          <th scope="col">Confidence</th>
          <th scope="col" class={last.class}>
            {last.head}
          </th>
        </tr>
      </thead>
      <tbody>
        {bugs.map((bug) => (
          <tr key={bug.id}>
            <td class="mono nowrap">
              <Text value={bug.id} />
            </td>
            <td>
              <Text value={bug.subject} />
              {last.detail && (
                <div class="muted small">
                  <Text value={last.detail(bug)} />
                </div>
              )}
            </td>
            <td>
              <Confidence value={bug.confidence} />
            </td>
            <td class={last.class}>{last.cell(bug)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const reportTable = bugTable<ReportBug>({
  head: "Fixed in",
  class: "mono",
  cell: (bug) => <Text value={bug.fix ? bug.fix.version : bug.fixedIn.join(", ") || "—"} />,
  detail: (bug) => bug.verdictReason,
});

const clusterTable = bugTable<Cluster["knownBugs"][number]>({
  head: "Reports",
  class: "num",
  cell: (bug) => bug.reports,
});

export function ReportKnownBugs({ bugs }: { bugs: readonly ReportBug[] }) {
  return (
    <Weighed bugs={bugs} table={reportTable} none="No known upstream bug matches this report." />
  );
}

export function ClusterKnownBugs({ bugs }: { bugs: Cluster["knownBugs"] }) {
  return (
    <Weighed
      bugs={bugs}
      table={clusterTable}
      none="No known upstream bug matches this cluster's reports."
    />
  );
}
