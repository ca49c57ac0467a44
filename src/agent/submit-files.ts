/**
 * @module agent/submit-files
 * `crashlens submit`'s work: each file sent as what it is, one line per file with what the
 * server said, a summary; a refused token stops the run (every later file would fail alike).
 */
import { type CrashlensClient, SubmitError, type SubmitMeta } from "./client.js";
import { type SendOptions, sendFile } from "./payload.js";
import { failureLine, resultLine, Tally } from "./report-line.js";

export interface SubmitOutput {
  /** a result line */
  line(text: string): Promise<void>;
  /** a failure or a warning */
  problem(text: string): Promise<void>;
}

export async function submitFiles(
  client: CrashlensClient,
  files: readonly string[],
  meta: SubmitMeta,
  output: SubmitOutput,
  options: SendOptions = {},
): Promise<Tally> {
  const tally = new Tally();
  for (const [index, path] of files.entries()) {
    try {
      const sent = await sendFile(client, path, meta, options);
      tally.add(sent.result);
      await output.line(resultLine(path, sent.result, sent.extracted ? " (minimal dump)" : ""));
    } catch (error) {
      tally.fail();
      await output.problem(failureLine(path, (error as Error).message));
      if (error instanceof SubmitError && error.fatal) {
        const left = files.length - index - 1;
        for (let i = 0; i < left; i++) tally.fail();
        if (left > 0) await output.problem(`stopped: ${left} more not submitted`);
        break;
      }
    }
  }
  return tally;
}
