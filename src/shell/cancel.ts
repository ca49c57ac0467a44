/**
 * @module shell/cancel
 * Letting Ctrl-C stop a long command. Reads of cached pages resolve at once, so a loop over
 * them never gives the event loop a turn and the keypress would wait for the loop to end;
 * `checkpoint` yields every few tens of milliseconds and says whether to stop.
 */

/** how long a loop may keep the event loop before giving it a turn */
const turnMs = 50;
let lastTurn = Date.now();

/** `if (await checkpoint(ctx.signal)) return;` — cheap enough to call for every item */
export async function checkpoint(signal: AbortSignal): Promise<boolean> {
  if (Date.now() - lastTurn >= turnMs) {
    await new Promise((resolve) => setImmediate(resolve));
    lastTurn = Date.now();
  }
  return signal.aborted;
}
