/**
 * Where a fuzz child's targets write temporary files: a folder named after the child's pid,
 * which the runner removes when the child ends, even when it had to kill it.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";

export function childFilesDir(pid: number): string {
  return join(tmpdir(), `crashlens-fuzz-files-${pid}`);
}
