#!/usr/bin/env node
// Entry point of the `crashlens` command: loads the bundle built by `npm run build`
// (run automatically by `npm install`).
try {
  await import("../dist/cli.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli.js")) {
    process.stderr.write(
      "crashlens: not built yet; run `npm install` (or `npm run build`) first\n",
    );
    process.exit(2);
  }
  throw error;
}
