/**
 * @module agent/labels
 * `--label key=value`, repeatable, as the submitter's labels of every report it sends.
 */
import { CrashlensError } from "../errors.js";

/** commander's collector for a repeatable option */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function parseLabels(list: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf("=");
    if (at <= 0)
      throw new CrashlensError("usage", `--label ${item}: expected key=value (e.g. rack=b7)`);
    labels[item.slice(0, at)] = item.slice(at + 1);
  }
  return labels;
}
