/**
 * @module oops/fields/modules
 * "Modules linked in: a b(OE) c [last unloaded: d]" → the loaded modules and their flags.
 */
import type { ModuleInfo } from "../report.js";

export const MODULES_LINE = /^\s*Modules linked in:(.*)$/;

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
