/**
 * @module agent/labels
 * `--label key=value`, repeatable, as the submitter's labels of every report it sends; the
 * server parses its `?label=k=v` with the same `parseLabel`. Any key is a label, `__proto__`
 * and `constructor` included: labels are built with `Object.fromEntries`, which defines own
 * properties, where an assignment to `labels["__proto__"]` would silently set the prototype.
 */
import { CrashlensError } from "../errors.js";

/** commander's collector for a repeatable option */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `"k=v"` → `["k", "v"]` (the value may hold `=`); a CrashlensError "usage" when no key. */
export function parseLabel(item: string): [key: string, value: string] {
  const at = item.indexOf("=");
  if (at <= 0)
    throw new CrashlensError(
      "usage",
      `label ${JSON.stringify(item)}: expected key=value (e.g. rack=b7)`,
    );
  return [item.slice(0, at), item.slice(at + 1)];
}

/** Every `--label` given; a key given twice keeps its last value. */
export function parseLabels(list: readonly string[]): Record<string, string> {
  return Object.fromEntries(new Map(list.map(parseLabel)));
}
