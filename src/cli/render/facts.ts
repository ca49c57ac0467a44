/**
 * @module cli/render/facts
 * Facts (`info`) as text lines ("label: text", padded) or as one JSON object keyed by each
 * fact's camelCase key. A group's rows nest under its key in JSON and carry its label as a
 * prefix in text.
 */
import type { Fact, FactValue } from "../../dump/types.js";

export interface FactGroup {
  readonly key: string;
  readonly label: string;
  readonly facts: readonly Fact[];
}

type Entry = Fact | FactGroup;

const isGroup = (e: Entry): e is FactGroup => "facts" in e;

/** the text form, or undefined when the fact is not known (not printed) */
function textOf(f: Fact): string | undefined {
  return f.text ?? (f.value === undefined ? undefined : String(f.value));
}

export function factsText(entries: readonly Entry[]): string[] {
  const line = (label: string, text: string) => `${`${label}:`.padEnd(32)} ${text}`;
  return entries.flatMap((e) => {
    const facts = isGroup(e) ? e.facts : [e];
    const prefix = isGroup(e) ? `${e.label}: ` : "";
    return facts.flatMap((f) => {
      const text = textOf(f);
      return text === undefined ? [] : [line(prefix + f.label, text)];
    });
  });
}

export function factsJson(entries: readonly Entry[]): Record<string, FactValue | undefined> {
  const object = (facts: readonly Fact[]) => Object.fromEntries(facts.map((f) => [f.key, f.value]));
  return Object.fromEntries(
    entries.map((e) => [e.key, isGroup(e) ? object(e.facts) : e.value] as const),
  );
}
