/** A cluster's triage status and note: a form for admin tokens, plain text for the others. */
import { useState } from "preact/hooks";
import { api, type Cluster, type ClusterStatus, clusterStatuses, type TokenRole } from "../api.js";
import { Problem } from "./problem.js";
import { StatusBadge } from "./status-badge.js";
import { Text } from "./text.js";

const meaning: Record<ClusterStatus, string> = {
  new: "not looked at yet",
  triaged: "someone is on it",
  "fixed-in": "fixed in a release",
  ignored: "not worth fixing",
};

export function StatusEditor(props: {
  cluster: Cluster;
  role: TokenRole;
  onSaved: (cluster: Cluster) => void;
}) {
  const { cluster, role, onSaved } = props;
  const [status, setStatus] = useState<ClusterStatus>(cluster.status);
  const [note, setNote] = useState(cluster.note);
  const [fixedIn, setFixedIn] = useState(cluster.fixedIn ?? "");
  const [saving, setSaving] = useState<"idle" | "busy" | "saved" | Error>("idle");

  if (role !== "admin")
    return (
      <div class="status-view">
        <p>
          <StatusBadge status={cluster.status} fixedIn={cluster.fixedIn} />
        </p>
        {cluster.note ? (
          <p class="note" data-note>
            <Text value={cluster.note} />
          </p>
        ) : (
          <p class="muted">No note.</p>
        )}
        <p class="muted small">Only an admin token can change the status.</p>
      </div>
    );

  const changed =
    status !== cluster.status || note !== cluster.note || fixedIn !== (cluster.fixedIn ?? "");
  return (
    <form
      class="status-form"
      onSubmit={(event) => {
        event.preventDefault();
        setSaving("busy");
        api
          .setStatus(cluster.id, {
            status,
            note,
            ...(status === "fixed-in" && fixedIn.trim() ? { fixedIn: fixedIn.trim() } : {}),
          })
          .then(
            (saved) => {
              setSaving("saved");
              onSaved(saved);
            },
            (error: Error) => setSaving(error),
          );
      }}
    >
      <label class="field">
        <span>Status</span>
        <select
          name="status"
          value={status}
          onChange={(event) => setStatus(event.currentTarget.value as ClusterStatus)}
        >
          {clusterStatuses.map((value) => (
            <option key={value} value={value}>
              {value} — {meaning[value]}
            </option>
          ))}
        </select>
      </label>
      {status === "fixed-in" && (
        <label class="field">
          <span>Fixed in release</span>
          <input
            name="fixedIn"
            value={fixedIn}
            placeholder="6.1.120"
            onInput={(event) => setFixedIn(event.currentTarget.value)}
          />
        </label>
      )}
      <label class="field">
        <span>Note</span>
        <textarea
          name="note"
          rows={3}
          value={note}
          onInput={(event) => setNote(event.currentTarget.value)}
        />
      </label>
      <div class="actions">
        <button type="submit" class="button primary" disabled={!changed || saving === "busy"}>
          {saving === "busy" ? "Saving…" : "Save"}
        </button>
        {saving === "saved" && !changed && (
          <span class="muted small" role="status">
            Saved.
          </span>
        )}
      </div>
      {saving instanceof Error && <Problem error={saving} doing="Not saved" />}
    </form>
  );
}
