/**
 * @module oops/fields/modules
 * "Modules linked in: a b(OE) c [last unloaded: d]" → the loaded modules and their flags.
 */
import type { ModuleInfo } from "../report.js";

export const MODULES_LINE = /^\s*Modules linked in:(.*)$/;

/** Module names only, as on a wrapped tail of the list: " pinctrl_amd", " wmi video". */
const CONTINUATION =
  /^\s+[\w-]+(?:\([A-Z+-]+\))?(?:\s+[\w-]+(?:\([A-Z+-]+\))?)*(?:\s+\[last unloaded: [\w-]+\])?\s*$/;

/**
 * A line that carries on the module list above it. The kernel prints each name as " name",
 * so a list the console wrapped goes on with a line that starts with a space.
 */
export function moduleContinuation(text: string): boolean {
  return CONTINUATION.test(text);
}

export function parseModules(list: string): ModuleInfo[] {
  const withoutUnloaded = list.replace(/\[last unloaded:[^\]]*\]/g, " ");
  const out: ModuleInfo[] = [];
  for (const token of withoutUnloaded.trim().split(/\s+/)) {
    const m = /^([\w-]+)(?:\(([A-Z+-]+)\))?$/.exec(token);
    if (!m) continue;
    const module: ModuleInfo = { name: m[1] as string };
    if (m[2]) module.flags = m[2];
    out.push(module);
  }
  return out;
}
