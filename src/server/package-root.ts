/**
 * @module server/package-root
 * The folder of crashlens' package.json, from wherever this code runs: `src/server/` under
 * tsx, or a chunk in `dist/` of the bundled CLI. The UI is built into `dist/ui` beside it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string };
      if (name === "crashlens") return dir;
    }
    if (dirname(dir) === dir) return from;
  }
}

export const packageRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

export const packageVersion: string = (() => {
  try {
    const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8"));
    return typeof manifest.version === "string" ? manifest.version : "unknown";
  } catch {
    return "unknown";
  }
})();

export const defaultUiDir = join(packageRoot, "dist", "ui");
