/** How the UI writes times and code locations: UTC throughout, as the servers log them. */

/** "2026-11-20 10:04" (UTC) */
export function dateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 16).replace("T", " ");
}

/** "2026-11-20" */
export function day(iso: string): string {
  return dateTime(iso).slice(0, 10);
}

const units: Array<[string, number]> = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "3 days ago", for tooltips next to absolute times */
export function ago(iso: string, now = Date.now()): string {
  const elapsed = now - new Date(iso).getTime();
  if (Number.isNaN(elapsed)) return "";
  for (const [unit, size] of units) {
    const count = Math.floor(Math.abs(elapsed) / size);
    if (count >= 1) {
      const words = `${count} ${unit}${count === 1 ? "" : "s"}`;
      return elapsed >= 0 ? `${words} ago` : `in ${words}`;
    }
  }
  return "just now";
}

/** "symbol [module]", the way kernel traces print it */
export function location(symbol: string | null, module: string | null | undefined): string {
  if (!symbol) return "—";
  return module ? `${symbol} [${module}]` : symbol;
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? word : many}`;
}
