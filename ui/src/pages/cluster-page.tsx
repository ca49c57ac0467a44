/** `/clusters/:id`: one cause across the fleet — trend, spread, known bugs, status, reports. */
import { useState } from "preact/hooks";
import { api, type Cluster, type TokenRole } from "../api.js";
import { CountTable } from "../components/count-table.js";
import { ClusterKnownBugs } from "../components/known-bugs.js";
import { Pager } from "../components/pager.js";
import { Loading, Problem } from "../components/problem.js";
import { ReportTable } from "../components/report-table.js";
import { KindBadge, StatusBadge } from "../components/status-badge.js";
import { StatusEditor } from "../components/status-editor.js";
import { Text } from "../components/text.js";
import { TrendChart } from "../components/trend-chart.js";
import { ago, dateTime, location, plural } from "../format.js";
import { Link } from "../router.js";
import { useApi } from "../use-api.js";

const REPORTS_PER_PAGE = 20;

/** " (the 100 with most reports, of 240)" when the server listed fewer than there are */
const shownOf = (shown: number, total: number) =>
  shown < total ? ` (the ${shown} with most reports, of ${total})` : "";

function Stats({ cluster }: { cluster: Cluster }) {
  const stats: Array<[string, preact.ComponentChildren]> = [
    ["Reports", cluster.count.toLocaleString("en-US")],
    ["Hosts", cluster.hostCount.toLocaleString("en-US")],
    ["Releases", cluster.releaseCount.toLocaleString("en-US")],
    ["First seen", <time title={ago(cluster.firstSeen)}>{dateTime(cluster.firstSeen)}</time>],
    ["Last seen", <time title={ago(cluster.lastSeen)}>{dateTime(cluster.lastSeen)}</time>],
  ];
  return (
    <dl class="stats">
      {stats.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Paths({ paths }: { paths: Cluster["paths"] }) {
  if (paths.length === 0) return <p class="muted">No caller frames were recorded.</p>;
  return (
    <ul class="paths">
      {paths.map((path) => (
        <li key={path.frames.join(" ")}>
          <span class="count">{plural(path.count, "report")}</span>
          <code>
            {path.frames.length === 0 ? "(no callers)" : <Text value={path.frames.join("  ←  ")} />}
          </code>
        </li>
      ))}
    </ul>
  );
}

function ClusterReports({ cluster }: { cluster: Cluster }) {
  const [offset, setOffset] = useState(0);
  const [loaded] = useApi(
    () => api.clusterReports(cluster.id, REPORTS_PER_PAGE, offset),
    [cluster.id, cluster.count, offset],
  );
  if (loaded.state === "failed") return <Problem error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  return (
    <div aria-busy={loaded.state === "loading"} class="busy-dims">
      <ReportTable reports={loaded.data.reports} best={cluster.bestExample} />
      <Pager
        offset={offset}
        limit={REPORTS_PER_PAGE}
        total={loaded.data.total}
        label="Report"
        onOffset={setOffset}
      />
    </div>
  );
}

export function ClusterPage({ id, role }: { id: number; role: TokenRole }) {
  const [loaded, replace] = useApi(() => api.cluster(id), [id]);
  const cluster = loaded.data?.id === id ? loaded.data : undefined;
  return (
    <main class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/" data-up>
          Clusters
        </Link>
        <span aria-hidden="true">›</span>
        <span aria-current="page">Cluster #{id}</span>
      </nav>
      {loaded.state === "failed" && <Problem error={loaded.error} />}
      {!cluster && loaded.state === "loading" && <Loading />}
      {cluster && (
        <>
          <header class="cluster-head">
            <h1>
              <Text value={cluster.title} />
            </h1>
            <div class="badges">
              <KindBadge kind={cluster.kind} />
              <StatusBadge status={cluster.status} fixedIn={cluster.fixedIn} />
              <span class="muted mono">
                in <Text value={location(cluster.function, cluster.module)} />
              </span>
            </div>
          </header>
          <Stats cluster={cluster} />
          <div class="cluster-grid">
            <div class="main-column">
              <section class="card">
                <h2>Reports per day</h2>
                <TrendChart perDay={cluster.perDay} />
              </section>
              <section class="card">
                <h2>Known bugs</h2>
                <ClusterKnownBugs bugs={cluster.knownBugs} />
              </section>
              <section class="card">
                <h2>Caller paths{shownOf(cluster.paths.length, cluster.pathCount)}</h2>
                <Paths paths={cluster.paths} />
              </section>
              <section class="card">
                <h2>Reports</h2>
                <ClusterReports cluster={cluster} />
              </section>
            </div>
            <aside class="side-column">
              <section class="card">
                <h2>Best example</h2>
                <p>
                  <Link href={`/reports/${cluster.bestExample}`} class="button" data-best-example>
                    Open report #{cluster.bestExample} →
                  </Link>
                </p>
                <p class="muted small">
                  The report that shows the most: intact, with a culprit and the most evidence.
                </p>
              </section>
              <section class="card">
                <h2>Status</h2>
                <StatusEditor cluster={cluster} role={role} onSaved={replace} />
              </section>
              <section class="card">
                <h2>Releases{shownOf(cluster.perRelease.length, cluster.releaseCount)}</h2>
                <CountTable
                  label="Release"
                  rows={cluster.perRelease.map((r) => ({ name: r.release, count: r.count }))}
                  empty="No kernel release was printed."
                />
              </section>
              <section class="card">
                <h2>Hosts{shownOf(cluster.perHost.length, cluster.hostCount)}</h2>
                <CountTable
                  label="Host"
                  rows={cluster.perHost.map((h) => ({ name: h.host, count: h.count }))}
                  empty="No hosts."
                />
              </section>
            </aside>
          </div>
        </>
      )}
    </main>
  );
}
