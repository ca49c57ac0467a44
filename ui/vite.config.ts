// The web UI's build: Preact through oxc's automatic JSX runtime (no preset plugin needed),
// built into dist/ui, which the server serves with an SPA fallback.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "/",
  logLevel: "warn",
  clearScreen: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/ui", import.meta.url)),
    emptyOutDir: true,
    // every supported browser loads modules natively: no polyfill code in the bundle
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    target: "es2022",
  },
});
