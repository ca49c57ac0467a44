#!/usr/bin/env node
// Bundles the CLI into dist/ with esbuild so that `crashlens` starts fast:
// one file to load instead of a tree of modules. npm packages stay external
// (several load WebAssembly relative to their own files).
import { rmSync } from "node:fs";
import { build } from "esbuild";

// chunk names carry content hashes: without a clean dist/ every build leaves the last one's
rmSync("dist", { recursive: true, force: true });

await build({
  // the server's analysis threads load their own entry (src/server/analysis-pool.ts)
  entryPoints: { cli: "src/cli/bin.ts", "analysis-worker": "src/server/analysis-worker.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});

// the web UI (Vite: Preact + uPlot) into dist/ui, which `crashlens serve` serves
const { build: buildUi } = await import("vite");
await buildUi({ configFile: "ui/vite.config.ts", logLevel: "warn" });
