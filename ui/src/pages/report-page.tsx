/** `/reports/:id`: one stored report, its submission's facts, and its log with anchors. */
import { api, type StoredReport } from "../api.js";
import { Loading, Problem } from "../components/problem.js";
import { ReportView } from "../components/report-view.js";
import { Text } from "../components/text.js";
import { ago, dateTime } from "../format.js";
import { Link } from "../router.js";
import { useApi } from "../use-api.js";

function submissionFacts(stored: StoredReport): Array<[string, preact.ComponentChildren]> {
  const labels = Object.entries(stored.labels);
  return [
    [
      "Host",
      <code key="host" data-host>
        <Text value={stored.host} />
      </code>,
    ],
    [
      "Received",
      <time key="time" title={ago(stored.receivedAt)}>
        {dateTime(stored.receivedAt)} UTC
      </time>,
    ],
    [
      "Labels",
      labels.length === 0 ? (
        "—"
      ) : (
        <span class="labels" key="labels">
          {labels.map(([key, value]) => (
            <span class="label" key={key}>
              <Text value={`${key}=${value}`} />
            </span>
          ))}
        </span>
      ),
    ],
    [
      "Submitted as",
      stored.source.kind === "dump" ? (
        <>
          dump <Text value={stored.source.name} />
        </>
      ) : (
        "text"
      ),
    ],
    ["Cluster", <Link href={`/clusters/${stored.cluster}`}>#{stored.cluster}</Link>],
  ];
}

export function ReportPage({ id, target }: { id: number; target: string }) {
  const [loaded] = useApi(() => api.report(id), [id]);
  const stored = loaded.data;
  return (
    <main class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/">Clusters</Link>
        <span aria-hidden="true">›</span>
        {stored ? (
          <Link href={`/clusters/${stored.cluster}`} data-up>
            Cluster #{stored.cluster}
          </Link>
        ) : (
          <span>Cluster</span>
        )}
        <span aria-hidden="true">›</span>
        <span aria-current="page">Report #{id}</span>
      </nav>
      {loaded.state === "failed" && <Problem error={loaded.error} />}
      {!stored && loaded.state === "loading" && <Loading />}
      {stored && (
        <ReportView
          report={stored.report}
          log={stored.source.kind === "text" ? stored.source.text : stored.source.log}
          idPrefix=""
          target={target}
          heading="h1"
          facts={submissionFacts(stored)}
        />
      )}
    </main>
  );
}
