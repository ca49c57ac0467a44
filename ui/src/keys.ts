/**
 * Keyboard shortcuts: one table drives both the handler and the help overlay. Lists mark
 * their rows' links with `data-nav-item`; pages mark their parent link with `data-up` and
 * their pager buttons with `data-page="next|previous"`, so the keys work on every page alike.
 */
import { useEffect } from "preact/hooks";
import { navigate } from "./router.js";

export interface Binding {
  /** space-separated sequence, as shown in the help: "g c" */
  keys: string;
  description: string;
  run: (app: KeyActions) => void;
}

export interface KeyActions {
  toggleHelp(): void;
  /** the cluster list's last URL, so `g c` goes back to the same filters */
  clusterListUrl(): string;
}

const ITEM = "[data-nav-item]";

/** Moves the focus (which is the selection) `step` rows through the page's list. */
function moveSelection(step: number): void {
  const items = [...document.querySelectorAll<HTMLElement>(ITEM)];
  if (items.length === 0) return;
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next = at < 0 ? (step > 0 ? 0 : items.length - 1) : at + step;
  const target = items[Math.max(0, Math.min(items.length - 1, next))];
  target?.focus();
  target?.scrollIntoView({ block: "nearest" });
}

function click(selector: string): void {
  const element = document.querySelector<HTMLElement>(selector);
  if (element && !(element as HTMLButtonElement).disabled) element.click();
}

/** The search box may not be on screen yet (after `navigate`): wait a few frames for it. */
function focusSearch(app: KeyActions, tries = 30): void {
  const box = document.querySelector<HTMLInputElement>("[data-search]");
  if (box) {
    box.focus();
    box.select();
  } else if (tries === 30) {
    navigate(app.clusterListUrl());
    requestAnimationFrame(() => focusSearch(app, tries - 1));
  } else if (tries > 0) requestAnimationFrame(() => focusSearch(app, tries - 1));
}

export const bindings: Binding[] = [
  { keys: "/", description: "Search clusters", run: (app) => focusSearch(app) },
  { keys: "j", description: "Select the next row", run: () => moveSelection(1) },
  { keys: "k", description: "Select the previous row", run: () => moveSelection(-1) },
  { keys: "Enter", description: "Open the selected row", run: () => {} },
  { keys: "]", description: "Next page", run: () => click('[data-page="next"]') },
  { keys: "[", description: "Previous page", run: () => click('[data-page="previous"]') },
  { keys: "u", description: "Up: report → cluster → list", run: () => click("[data-up]") },
  { keys: "g c", description: "Go to the clusters", run: (app) => navigate(app.clusterListUrl()) },
  { keys: "g p", description: "Go to the paste box", run: () => navigate("/paste") },
  { keys: "?", description: "Show or hide this help", run: (app) => app.toggleHelp() },
  { keys: "Esc", description: "Leave a text box, close this help", run: () => {} },
];

/** keys handled natively (Enter follows the focused link, Esc closes dialogs) */
const native = new Set(["Enter", "Esc"]);
const sequences = new Map(bindings.filter((b) => !native.has(b.keys)).map((b) => [b.keys, b]));
const prefixes = new Set([...sequences.keys()].filter((k) => k.includes(" ")).map((k) => k[0]));

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
}

export function useKeyboard(app: KeyActions): void {
  useEffect(() => {
    let pending = "";
    let timer = 0;
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(event.target)) {
        if (event.key === "Escape") (event.target as HTMLElement).blur();
        return;
      }
      const keys = pending ? `${pending} ${event.key}` : event.key;
      clearTimeout(timer);
      pending = "";
      const binding = sequences.get(keys);
      if (binding) {
        event.preventDefault();
        binding.run(app);
      } else if (prefixes.has(event.key) && keys === event.key) {
        pending = event.key;
        timer = window.setTimeout(() => {
          pending = "";
        }, 1500);
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [app]);
}
