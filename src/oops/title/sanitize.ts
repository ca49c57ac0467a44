/**
 * @module oops/title/sanitize
 * Titles must be stable across reports of the same bug, so the parts that vary (addresses,
 * numbers, line numbers, offsets, CPU and executor ids) are replaced by placeholders, the
 * way syzkaller does, so crashlens titles compare equal to syzbot's.
 */

interface Replacement {
  match: RegExp;
  by: string;
}

const replacements: readonly Replacement[] = [
  // fuzzer process ids
  { match: /syz-executor\.?[0-9]+((\/|:)[0-9]+)?/g, by: "syz-executor" },
  { match: /syzkaller[0-9]+((\/|:)[0-9]+)?/g, by: "syzkaller" },
  // anything that looks like an address
  { match: /([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}/g, by: "$1ADDR" },
  { match: /([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})/g, by: "IP" },
  // source line numbers
  { match: /(\.\w+)(:[0-9]+)+/g, by: "$1:LINE" },
  // "func+0x1f/0x40": offsets and sizes change with every build
  { match: /([a-zA-Z][a-zA-Z0-9_.]+)\+0x[0-9a-z]+\/0x[0-9a-z]+/g, by: "$1" },
  { match: /CPU#[0-9]+/g, by: "CPU" },
  // remaining decimal numbers; overlapping matches ("0,1,2") need several passes
  { match: /(\W)(\d+)(\W|$)/g, by: "$1NUM$3" },
  // digits inside names (cfg80211) stay, unless the run is too long to be a name
  { match: /(\d+){7,}/g, by: "NUM" },
];

function replaceAll(title: string): string {
  let out = title;
  for (const { match, by } of replacements) {
    for (;;) {
      const next = out.replace(match, by);
      if (next === out) break;
      out = next;
    }
  }
  return out;
}

const MAX_TITLE_BYTES = 120;

/** Drops control and non-ASCII bytes, folds runs of spaces, and caps the length. */
function tidy(title: string): string {
  const bytes = Buffer.from(title, "utf8");
  let out = "";
  let prev = " ";
  for (let i = 0; i < bytes.length && i < MAX_TITLE_BYTES; i++) {
    let ch = String.fromCharCode(bytes[i] as number);
    if (ch === "\t") ch = " ";
    else if ((bytes[i] as number) < 0x20 || (bytes[i] as number) >= 0x7f) continue;
    if (ch === " " && prev === " ") continue;
    out += ch;
    prev = ch;
  }
  return out.trim();
}

export function sanitizeTitle(title: string): string {
  return tidy(replaceAll(title));
}

/** The function a title names: "… in func" → "func". */
export function titleFrame(title: string): string | undefined {
  return /.* in ((?:<[a-zA-Z0-9_: ]+>)?[a-zA-Z0-9_:]+)/.exec(title)?.[1];
}
