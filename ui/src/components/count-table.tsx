/** A two-column breakdown (host → reports, release → reports) with proportional bars; the
 * biggest rows only, the rest counted. */
import { Text } from "./text.js";

const SHOWN = 10;

export function CountTable(props: {
  label: string;
  rows: ReadonlyArray<{ name: string; count: number }>;
  empty: string;
}) {
  const { label, rows, empty } = props;
  if (rows.length === 0) return <p class="muted">{empty}</p>;
  const most = Math.max(...rows.map((r) => r.count));
  const rest = rows.slice(SHOWN);
  return (
    <table class="list compact counts">
      <thead>
        <tr>
          <th scope="col">{label}</th>
          <th scope="col" class="num">
            Reports
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, SHOWN).map((row) => (
          <tr key={row.name}>
            <td class="mono">
              <Text value={row.name || "unknown"} />
            </td>
            <td class="num">
              <meter min={0} max={most} value={row.count} aria-hidden="true" />
              {row.count.toLocaleString("en-US")}
            </td>
          </tr>
        ))}
        {rest.length > 0 && (
          <tr class="rest">
            <td class="muted">and {rest.length} more</td>
            <td class="num muted">
              {rest.reduce((sum, row) => sum + row.count, 0).toLocaleString("en-US")}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
