/** Loads one API resource for a component; a newer request wins over a slower older one. */
import { useEffect, useState } from "preact/hooks";

export type Loaded<T> =
  | { state: "loading"; data?: T }
  | { state: "done"; data: T }
  | { state: "failed"; error: Error; data?: T };

export function useApi<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, (data: T) => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  useEffect(() => {
    let current = true;
    setLoaded((last) => ({ state: "loading", ...(last.data ? { data: last.data } : {}) }));
    load().then(
      (data) => current && setLoaded({ state: "done", data }),
      (error: Error) => current && setLoaded({ state: "failed", error }),
    );
    return () => {
      current = false;
    };
    // the caller names what `load` reads in `deps`
  }, deps);
  return [loaded, (data: T) => setLoaded({ state: "done", data })];
}
