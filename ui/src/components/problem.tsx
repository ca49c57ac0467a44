/** What a page shows while its data loads or when the API said no. */
import { ApiError } from "../api.js";

/** `doing`: what failed, in words ("Could not load this") */
export function Problem({ error, doing }: { error: Error; doing?: string }) {
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <p class="error" role="alert">
      {notFound ? "Not found" : (doing ?? "Could not load this")}: {error.message}
    </p>
  );
}

export function Loading() {
  return (
    <p class="muted loading" aria-busy="true">
      Loading…
    </p>
  );
}
