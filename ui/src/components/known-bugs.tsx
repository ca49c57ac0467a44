/** Known upstream bugs: one report's matches, or a cluster's matches counted over its reports. */
import type { Cluster, DiagnosedReport } from "../api.js";
import { Text } from "./text.js";

type ReportBug = NonNullable<DiagnosedReport["knownBugs"]>[number];

function Confidence({ value }: { value: string }) {
  return <span class={`badge confidence-${value}`}>{value}</span>;
}

export function ReportKnownBugs({ bugs }: { bugs: readonly ReportBug[] }) {
  if (bugs.length === 0) return <p class="muted">No known upstream bug matches this report.</p>;
  return (
    <table class="list compact">
      <thead>
        <tr>
          <th scope="col">Bug</th>
          <th scope="col">Fix</th>
          <th scope="col">Confidence</th>
          <th scope="col">Fixed in</th>
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
              <div class="muted small">
                <Text value={bug.verdictReason} />
              </div>
            </td>
            <td>
              <Confidence value={bug.confidence} />
            </td>
            <td class="mono">
              <Text value={bug.fix ? bug.fix.version : bug.fixedIn.join(", ") || "—"} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ClusterKnownBugs({ bugs }: { bugs: Cluster["knownBugs"] }) {
  if (bugs.length === 0)
    return <p class="muted">No known upstream bug matches this cluster's reports.</p>;
  return (
    <table class="list compact">
      <thead>
        <tr>
          <th scope="col">Bug</th>
          <th scope="col">Fix</th>
          <th scope="col">Confidence</th>
          <th scope="col" class="num">
            Reports
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
            </td>
            <td>
              <Confidence value={bug.confidence} />
            </td>
            <td class="num">{bug.reports}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
