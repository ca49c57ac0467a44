#!/usr/bin/env node
// Bundles the CLI into dist/ with esbuild so that `crashlens` starts fast:
// one file to load instead of a tree of modules. npm packages stay external
// (several load WebAssembly relative to their own files).
import { rmSync } from "node:fs";
import { build } from "esbuild";

// chunk names carry content hashes: without a clean dist/ every build leaves the last one's
rmSync("dist", { recursive: true, force: true });

await build({
  entryPoints: { cli: "src/cli/bin.ts" },
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
