/**
 * @module shell/banner
 * What the interactive shell prints before its first prompt: one line saying what this is
 * (and that it is not crash), then the `sys` block, as crash shows it at startup.
 */
import type { ShellSession } from "./session.js";

export async function startupBanner(session: ShellSession): Promise<string> {
  const head =
    "crashlens shell: crash's commands over the dump's own kallsyms, no debuginfo (not crash).\n" +
    'Enter "help" for the commands, "q" to quit.\n\n';
  const sys = await session.run("sys");
  return `${head}${sys.output}${sys.errors}\n`;
}
