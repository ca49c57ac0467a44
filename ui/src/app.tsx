/**
 * The shell around every page: asks the server who we are (`/api/health`), asks for a token
 * when it must, routes, and installs the keyboard shortcuts.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, api, type Health, token, whenUnauthorized } from "./api.js";
import { Help } from "./components/help.js";
import { TokenBox } from "./components/token-box.js";
import { useKeyboard } from "./keys.js";
import { ClusterList } from "./pages/cluster-list.js";
import { ClusterPage } from "./pages/cluster-page.js";
import { NotFound } from "./pages/not-found.js";
import { PastePage } from "./pages/paste-page.js";
import { ReportPage } from "./pages/report-page.js";
import { Link, match, type Place, usePlace } from "./router.js";

type Session =
  | { state: "loading" }
  | { state: "signed-in"; health: Health }
  /** `refused`: why the last token did not do (shown above the box) */
  | { state: "needs-token"; refused: string | undefined }
  | { state: "failed"; message: string };

interface Route {
  pattern: string;
  title: string;
  render: (params: Record<string, string>, place: Place, health: Health) => preact.VNode;
}

const routes: Route[] = [
  { pattern: "/", title: "Clusters", render: (_p, place) => <ClusterList place={place} /> },
  {
    pattern: "/clusters/:id",
    title: "Cluster",
    render: (p, _place, health) => <ClusterPage id={Number(p.id)} role={health.role} />,
  },
  {
    pattern: "/reports/:id",
    title: "Report",
    render: (p, place) => <ReportPage id={Number(p.id)} target={place.hash} />,
  },
  { pattern: "/paste", title: "Paste", render: (_p, place) => <PastePage target={place.hash} /> },
];

function useSession(): [Session, (secret: string) => void] {
  const [session, setSession] = useState<Session>({ state: "loading" });
  const check = useCallback(() => {
    api
      .health()
      .then((health) => {
        // an ingest token may only submit: it can read nothing the UI shows
        if (health.role === "ingest") {
          token.clear();
          setSession({ state: "needs-token", refused: "That token may only submit reports." });
        } else setSession({ state: "signed-in", health });
      })
      .catch((error: unknown) => {
        // a 401 is handled by the `whenUnauthorized` handler below
        if (!(error instanceof ApiError && error.status === 401))
          setSession({ state: "failed", message: String((error as Error).message) });
      });
  }, []);
  useEffect(() => {
    // every 401, the first health check's included: ask for a token, saying why
    whenUnauthorized(() => {
      const refused = token.get() === null ? undefined : "The server refused that token.";
      token.clear();
      setSession({ state: "needs-token", refused });
    });
    check();
  }, [check]);
  const signIn = (secret: string) => {
    token.set(secret);
    check();
  };
  return [session, signIn];
}

export function App() {
  const place = usePlace();
  const [session, signIn] = useSession();
  const [helpOpen, setHelpOpen] = useState(false);
  // the list's filters survive a visit to a cluster: the nav links and `g c` return to them
  const lastList = useRef("/");
  if (place.path === "/") lastList.current = place.search.size ? `/?${place.search}` : "/";
  const listUrl = lastList.current;
  const actions = useMemo(
    () => ({
      toggleHelp: () => setHelpOpen((open) => !open),
      clusterListUrl: () => lastList.current,
    }),
    [],
  );
  useKeyboard(actions);

  const found = routes
    .map((route) => ({ route, params: match(route.pattern, place.path) }))
    .find((hit) => hit.params);
  useEffect(() => {
    document.title = `${found?.route.title ?? "Not found"} · crashlens`;
  }, [found?.route.title]);

  let body: preact.VNode;
  if (session.state === "loading") body = <main class="page" aria-busy="true" />;
  else if (session.state === "needs-token")
    body = <TokenBox refused={session.refused} onToken={signIn} />;
  else if (session.state === "failed")
    body = (
      <main class="page">
        <p class="error" role="alert">
          The server did not answer: {session.message}
        </p>
      </main>
    );
  else if (found?.params) body = found.route.render(found.params, place, session.health);
  else body = <NotFound />;

  const health = session.state === "signed-in" ? session.health : undefined;
  return (
    <>
      <header class="topbar">
        <Link href={listUrl} class="brand">
          crashlens
        </Link>
        <nav aria-label="Main">
          <Link href={listUrl} aria-current={place.path === "/" ? "page" : undefined}>
            Clusters
          </Link>
          <Link href="/paste" aria-current={place.path === "/paste" ? "page" : undefined}>
            Paste a log
          </Link>
        </nav>
        <span class="spacer" />
        {health && (
          <span class="who" title={`crashlens ${health.version}, ${health.store} store`}>
            {health.auth === "none" ? "local mode" : `${health.role} token`} · {health.store}
          </span>
        )}
        <button
          type="button"
          class="button ghost"
          onClick={() => setHelpOpen(true)}
          aria-keyshortcuts="?"
        >
          Keys <kbd>?</kbd>
        </button>
      </header>
      {body}
      <Help open={helpOpen} onClose={() => setHelpOpen(false)} />
    </>
  );
}
