/** `/`: every cluster, newest activity first, filtered and sorted from the URL's query. */
import { api, type ClusterQuery, type ClusterSummary } from "../api.js";
import { ClusterFilters, type FilterValues } from "../components/cluster-filters.js";
import { Pager } from "../components/pager.js";
import { Loading, Problem } from "../components/problem.js";
import { KindBadge, StatusBadge } from "../components/status-badge.js";
import { ago, dateTime, location, plural } from "../format.js";
import { Link, navigate, type Place } from "../router.js";
import { useApi } from "../use-api.js";

const PAGE_SIZE = 50;

type Sort = "last-seen" | "first-seen" | "count" | "title";

/** the direction the store sorts each key in */
const ascending = new Set<Sort>(["title", "first-seen"]);

interface Column {
  label: string;
  /** the API sort this header selects; absent: not sortable */
  sort?: Sort;
  class?: string;
  cell: (cluster: ClusterSummary) => preact.ComponentChildren;
}

const columns: Column[] = [
  {
    label: "Title",
    sort: "title",
    class: "title-cell",
    cell: (c) => (
      <Link href={`/clusters/${c.id}`} data-nav-item>
        {c.title}
      </Link>
    ),
  },
  { label: "Kind", cell: (c) => <KindBadge kind={c.kind} /> },
  {
    label: "Function",
    class: "mono",
    cell: (c) => location(c.function, c.module),
  },
  { label: "Reports", sort: "count", class: "num", cell: (c) => c.count.toLocaleString("en-US") },
  {
    label: "First seen",
    sort: "first-seen",
    class: "time",
    cell: (c) => <time title={ago(c.firstSeen)}>{dateTime(c.firstSeen)}</time>,
  },
  {
    label: "Last seen",
    sort: "last-seen",
    class: "time",
    cell: (c) => <time title={ago(c.lastSeen)}>{dateTime(c.lastSeen)}</time>,
  },
  { label: "Status", cell: (c) => <StatusBadge status={c.status} /> },
];

/** how the list reads its URL: `?kind=oops&sort=count&offset=50` */
function readPlace(search: URLSearchParams) {
  const get = (key: string) => search.get(key) ?? "";
  const values: FilterValues = {
    q: get("q"),
    kind: get("kind"),
    module: get("module"),
    release: get("release"),
    host: get("host"),
    from: get("from"),
    to: get("to"),
  };
  const sort = (get("sort") || "last-seen") as Sort;
  const offset = Math.max(0, Number.parseInt(get("offset"), 10) || 0);
  return { values, sort, offset };
}

/** The UI's whole days (UTC) as the API's inclusive ISO bounds. */
function toQuery(values: FilterValues, sort: Sort, offset: number): ClusterQuery {
  const { from, to, ...rest } = values;
  return {
    ...rest,
    ...(from ? { from: `${from}T00:00:00.000Z` } : {}),
    ...(to ? { to: `${to}T23:59:59.999Z` } : {}),
    sort,
    limit: PAGE_SIZE,
    offset,
  };
}

export function ClusterList({ place }: { place: Place }) {
  const { values, sort, offset } = readPlace(place.search);
  const key = place.search.toString();
  const [facets] = useApi(() => api.facets(), []);
  const [list] = useApi(() => api.clusters(toQuery(values, sort, offset)), [key]);

  /** a new filter starts again at the first page; typing replaces the history entry */
  const go = (change: Record<string, string | number>, replace = false) => {
    const next = new URLSearchParams(place.search);
    for (const [name, value] of Object.entries(change))
      if (value === "" || value === 0 || (name === "sort" && value === "last-seen"))
        next.delete(name);
      else next.set(name, String(value));
    if (!("offset" in change)) next.delete("offset");
    const query = next.toString();
    navigate(query ? `/?${query}` : "/", { replace });
  };

  const data = list.data;
  return (
    <main class="page">
      <div class="page-head">
        <h1>Clusters</h1>
        {data && (
          <p class="muted">
            {plural(data.total, "cluster")}
            {values.q ? ` matching “${values.q}”` : ""}
          </p>
        )}
      </div>
      <ClusterFilters
        values={values}
        facets={facets.data}
        onChange={(change, typing) => go(change, typing)}
      />
      {list.state === "failed" && <Problem error={list.error} />}
      {!data && list.state === "loading" && <Loading />}
      {data && data.total === 0 && (
        <div class="empty card">
          <p>
            {Object.values(values).some(Boolean)
              ? "No cluster matches these filters."
              : "No crash reports yet."}
          </p>
          <p class="muted">
            Send reports with <code>crashlens submit</code> or <code>crashlens watch</code>, or{" "}
            <Link href="/paste">paste a log</Link> to analyse it without storing it.
          </p>
        </div>
      )}
      {data && data.total > 0 && (
        <div class="card table-card busy-dims" aria-busy={list.state === "loading"}>
          <table class="list clusters" data-nav-list>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th
                    key={column.label}
                    // headers share the cells' alignment, not their monospace
                    class={column.class === "num" ? "num" : undefined}
                    scope="col"
                    aria-sort={
                      column.sort === sort
                        ? ascending.has(sort)
                          ? "ascending"
                          : "descending"
                        : undefined
                    }
                  >
                    {column.sort ? (
                      <button
                        type="button"
                        class={`sort${column.sort === sort ? " active" : ""}`}
                        onClick={() => go({ sort: column.sort as Sort })}
                        title={`Sort by ${column.label.toLowerCase()}`}
                      >
                        {column.label}
                        <span class="arrow" aria-hidden="true">
                          {column.sort === sort ? (ascending.has(sort) ? "▲" : "▼") : "↕"}
                        </span>
                      </button>
                    ) : (
                      column.label
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.clusters.map((cluster) => (
                <tr key={cluster.id}>
                  {columns.map((column) => (
                    <td key={column.label} class={column.class}>
                      {column.cell(cluster)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            offset={offset}
            limit={PAGE_SIZE}
            total={data.total}
            label="Cluster"
            onOffset={(next) => go({ offset: next })}
          />
        </div>
      )}
    </main>
  );
}
