/**
 * @module test/shared
 * Where tests find the shared artifacts that live beside the repository (`../shared`: the
 * seed write-ups, the lab dumps, public conformance data). CI always has them; a missing
 * directory fails the test with a clear message rather than skipping it.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const sharedRoot = resolve(repoRoot, "..", "shared");

/** The path of a shared artifact; throws with the expected location when it is absent. */
export function shared(...parts: string[]): string {
  const path = join(sharedRoot, ...parts);
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: tests expect the shared artifacts beside the repository (../shared)`,
    );
  }
  return path;
}

export function testdata(...parts: string[]): string {
  return join(repoRoot, "testdata", ...parts);
}
