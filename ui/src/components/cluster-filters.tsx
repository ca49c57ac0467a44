/**
 * The cluster list's filters: full-text search, one choice per facet, a time range. Each
 * change becomes the page URL's query, so filters are deep links and the back button undoes.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Facets } from "../api.js";

export interface FilterValues {
  q: string;
  kind: string;
  module: string;
  release: string;
  host: string;
  /** YYYY-MM-DD, UTC days */
  from: string;
  to: string;
}

const choices: Array<{ key: keyof FilterValues & keyof typeof facetOf; label: string }> = [
  { key: "kind", label: "Kind" },
  { key: "module", label: "Module" },
  { key: "release", label: "Release" },
  { key: "host", label: "Host" },
];

const facetOf = {
  kind: "kinds",
  module: "modules",
  release: "releases",
  host: "hosts",
} as const satisfies Record<string, keyof Facets>;

const SEARCH_DELAY_MS = 300;

export function ClusterFilters(props: {
  values: FilterValues;
  facets: Facets | undefined;
  onChange: (change: Partial<FilterValues>, typing?: boolean) => void;
}) {
  const { values, facets, onChange } = props;
  const [text, setText] = useState(values.q);
  const timer = useRef(0);
  // the URL changed under us (back button, a link): show its search
  useEffect(() => {
    if (document.activeElement?.getAttribute("data-search") === null) setText(values.q);
  }, [values.q]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const search = (value: string) => {
    setText(value);
    clearTimeout(timer.current);
    timer.current = window.setTimeout(() => onChange({ q: value.trim() }, true), SEARCH_DELAY_MS);
  };
  const active = Object.values(values).some((value) => value !== "");
  return (
    <search>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          clearTimeout(timer.current);
          onChange({ q: text.trim() });
        }}
      >
        <label class="field grow">
          <span>Search</span>
          <input
            type="search"
            data-search
            placeholder="title, function, host, log text…   ( / )"
            value={text}
            onInput={(event) => search(event.currentTarget.value)}
            aria-keyshortcuts="/"
          />
        </label>
        {choices.map(({ key, label }) => {
          const options = facets?.[facetOf[key]] ?? [];
          const value = values[key];
          return (
            <label class="field" key={key}>
              <span>{label}</span>
              <select
                name={key}
                value={value}
                onChange={(event) => onChange({ [key]: event.currentTarget.value })}
              >
                <option value="">any</option>
                {value && !options.includes(value) && <option value={value}>{value}</option>}
                {options.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            </label>
          );
        })}
        <label class="field">
          <span>From</span>
          <input
            type="date"
            name="from"
            value={values.from}
            max={values.to || undefined}
            onChange={(event) => onChange({ from: event.currentTarget.value })}
          />
        </label>
        <label class="field">
          <span>To</span>
          <input
            type="date"
            name="to"
            value={values.to}
            min={values.from || undefined}
            onChange={(event) => onChange({ to: event.currentTarget.value })}
          />
        </label>
        <button
          type="button"
          class="button ghost clear"
          disabled={!active}
          onClick={() => {
            setText("");
            onChange({ q: "", kind: "", module: "", release: "", host: "", from: "", to: "" });
          }}
        >
          Clear
        </button>
      </form>
    </search>
  );
}
