/**
 * @module dump/progress
 * A progress bar on stderr for reads expected to take more than a second: shown only on a
 * TTY, and only once the work has run for a while, so quick runs and pipes stay quiet.
 */

export type Progress = (done: number, total: number) => void;

export interface ProgressBar {
  update: Progress;
  finish(): void;
}

const SHOW_AFTER_MS = 1000;
const WIDTH = 30;

export function progressBar(
  label: string,
  stream: { isTTY?: boolean; write(text: string): unknown } = process.stderr,
): ProgressBar {
  if (!stream.isTTY) return { update: () => {}, finish: () => {} };
  const started = Date.now();
  let shown = false;
  let lastDraw = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - started < SHOW_AFTER_MS || now - lastDraw < 100 || total <= 0) return;
      lastDraw = now;
      shown = true;
      const fraction = Math.min(1, done / total);
      const filled = Math.round(fraction * WIDTH);
      stream.write(
        `\r${label} [${"#".repeat(filled)}${" ".repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0)}%`,
      );
    },
    finish() {
      if (shown) stream.write(`\r${" ".repeat(label.length + WIDTH + 10)}\r`);
    },
  };
}
