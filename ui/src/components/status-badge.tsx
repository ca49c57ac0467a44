import type { ClusterStatus } from "../api.js";

const labels: Record<ClusterStatus, string> = {
  new: "new",
  triaged: "triaged",
  "fixed-in": "fixed",
  ignored: "ignored",
};

export function StatusBadge({
  status,
  fixedIn,
}: {
  status: ClusterStatus;
  fixedIn?: string | null;
}) {
  return (
    <span class={`badge status-${status}`}>
      {labels[status]}
      {status === "fixed-in" && fixedIn ? ` in ${fixedIn}` : ""}
    </span>
  );
}

export function KindBadge({ kind }: { kind: string }) {
  return <span class="badge kind">{kind}</span>;
}
