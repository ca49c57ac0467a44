import { Link } from "../router.js";

export function NotFound() {
  return (
    <main class="page">
      <h1>Not found</h1>
      <p>
        There is no page here. <Link href="/">Back to the clusters</Link>
      </p>
    </main>
  );
}
