/**
 * @module cli/exit
 * Exit codes and the usage error shared by all commands.
 */

export const EXIT_OK = 0;
/** nothing useful could be produced from a readable input (e.g. a dump with no log) */
export const EXIT_NOTHING = 1;
/** bad arguments, unreadable or missing files */
export const EXIT_USAGE = 2;

/** A mistake in how the command was called; printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
