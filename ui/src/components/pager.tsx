/** "51–100 of 234" with previous/next; `]` and `[` press these buttons. */
export function Pager(props: {
  offset: number;
  limit: number;
  total: number;
  onOffset: (offset: number) => void;
  label: string;
}) {
  const { offset, limit, total, onOffset, label } = props;
  if (total === 0) return null;
  const last = Math.min(total, offset + limit);
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <span class="muted">
        {(offset + 1).toLocaleString("en-US")}–{last.toLocaleString("en-US")} of{" "}
        {total.toLocaleString("en-US")}
      </span>
      <button
        type="button"
        class="button"
        data-page="previous"
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - limit))}
      >
        ← Previous
      </button>
      <button
        type="button"
        class="button"
        data-page="next"
        disabled={last >= total}
        onClick={() => onOffset(offset + limit)}
      >
        Next →
      </button>
    </nav>
  );
}
