/**
 * Client-side routing over the History API: the server answers every non-API path with
 * index.html, so deep links (/clusters/12, /reports/5#L80) and the back button just work.
 */
import type { AnchorHTMLAttributes, ComponentChildren, TargetedMouseEvent } from "preact";
import { useEffect, useState } from "preact/hooks";

export interface Place {
  path: string;
  /** the query string without "?" */
  search: URLSearchParams;
  /** the fragment without "#" */
  hash: string;
}

const listeners = new Set<() => void>();

function current(): Place {
  return {
    path: location.pathname,
    search: new URLSearchParams(location.search),
    hash: decoded(location.hash.slice(1)),
  };
}

/**
 * `%41` → "A"; a malformed escape (`#%E0`, from a hand-edited or cut link) stays as written:
 * decodeURIComponent throws on it, which would blank the whole page.
 */
export function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function notify(): void {
  for (const listener of listeners) listener();
}

addEventListener("popstate", notify);

/** Goes to a URL of this app; `replace` for changes not worth a history entry (typing). */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (url === location.pathname + location.search + location.hash) return;
  if (options.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  notify();
}

export function usePlace(): Place {
  const [place, setPlace] = useState(current);
  useEffect(() => {
    const update = () => setPlace(current());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return place;
}

type AnchorProps = AnchorHTMLAttributes<HTMLAnchorElement> & {
  href: string;
  children?: ComponentChildren;
};

/** An ordinary link that the router follows without a reload; modified clicks stay native. */
export function Link({ href, onClick, ...rest }: AnchorProps) {
  const follow = (event: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (typeof onClick === "function") onClick(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const url = href.startsWith("#") ? location.pathname + location.search + href : href;
    navigate(url);
    if (!href.startsWith("#")) scrollTo(0, 0);
  };
  return <a href={href} onClick={follow} {...rest} />;
}

/** "/clusters/12" against "/clusters/:id" → { id: "12" }, or undefined */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const have = path.replace(/\/+$/, "").split("/");
  if (path === "/") have.splice(1, 1, "");
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const actual = have[i] ?? "";
    if (part.startsWith(":")) params[part.slice(1)] = decoded(actual);
    else if (part !== actual) return undefined;
  }
  return params;
}
