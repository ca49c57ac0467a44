/** A cluster's reports, newest first; rows are keyboard-selectable (`j`/`k`, Enter opens). */
import type { ReportSummary } from "../api.js";
import { ago, dateTime } from "../format.js";
import { Link } from "../router.js";
import { Text } from "./text.js";

export function ReportTable({ reports, best }: { reports: ReportSummary[]; best: number }) {
  return (
    <table class="list compact reports" data-nav-list>
      <thead>
        <tr>
          <th scope="col">Report</th>
          <th scope="col">Received</th>
          <th scope="col">Host</th>
          <th scope="col">Release</th>
          <th scope="col">Culprit</th>
        </tr>
      </thead>
      <tbody>
        {reports.map((report) => (
          <tr key={report.id}>
            <td class="nowrap">
              <Link href={`/reports/${report.id}`} data-nav-item>
                #{report.id}
              </Link>
              {report.id === best && (
                <span class="badge best" title="the cluster's best example">
                  best
                </span>
              )}
            </td>
            <td class="time">
              <time title={ago(report.receivedAt)}>{dateTime(report.receivedAt)}</time>
            </td>
            <td class="mono clip" title={report.host}>
              <Text value={report.host} />
            </td>
            <td class="mono clip" title={report.release ?? "—"}>
              <Text value={report.release ?? "—"} />
            </td>
            <td class="mono clip" title={report.culprit ?? "—"}>
              <Text value={report.culprit ?? "—"} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
