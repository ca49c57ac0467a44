/**
 * @module text/quiet-scanner
 * Counts lines in raw bytes and finds the first "loud" one, fast: a line that holds one of
 * the given literals, starts with one of the given shapes, ends with one of the given
 * characters, holds a control byte, or is longer than MAX_QUIET_BYTES. Everything else is
 * quiet and only counted. The caller (oops/scan-file) decides what loud means; this module
 * only finds it, exactly.
 *
 * Speed: the bytes are read as aligned 32-bit words, and each half-word (an aligned byte
 * pair) is looked up in a 64 K table that marks pairs holding a line break or a control byte
 * and pairs chosen as anchors of a literal. Every literal of 3 bytes or more covers an
 * aligned pair whatever its alignment, so registering, for each literal, its rarest pair at
 * an even and at an odd offset catches every occurrence; the rest of the literal is then
 * compared. Which pairs are rare is learnt from the first bytes of the input (only speed
 * depends on it).
 */
import { breakEnd, CR, LF } from "./line-breaks.js";

/**
 * Longest line treated as quiet, in bytes. A line of at most this many bytes decodes to
 * at most this many UTF-16 characters, so it is never cut (MAX_LINE_CHARS) nor parsed on a
 * prefix only (MAX_PARSED_CHARS), whose counts would show in the result.
 */
export const MAX_QUIET_BYTES = 4096;

export interface LoudRules {
  /** ASCII literals (3 bytes or more) a loud line holds anywhere */
  anywhere: string[];
  /** ASCII literals a loud line starts with, after spaces and tabs */
  lineStarts: string[];
  /**
   * a line starting (after spaces and tabs) with an upper-case key — `[A-Z_][A-Z0-9_ ]*`
   * followed by `:` or `=` — is loud
   */
  upperKeys: boolean;
  /** single ASCII characters a loud line ends with, before its break ("=": a mail's soft break) */
  lineEnds?: string[];
}

/** Table values: what an aligned byte pair holds. */
const QUIET = 0;
const BREAK = 1;
const CONTROL = 2;
const ANCHOR = 3;

interface Candidate {
  literal: Uint8Array;
  /** offset of the anchor pair in the literal */
  at: number;
}

function isControl(byte: number): boolean {
  return (byte < 0x20 && byte !== 0x09 && byte !== LF && byte !== CR) || byte === 0x7f;
}

function isBreak(byte: number): boolean {
  return byte === LF || byte === CR;
}

const pairOf = (bytes: Uint8Array, at: number) =>
  (bytes[at] as number) | ((bytes[at + 1] as number) << 8);

/** Line starts kept for the caller's look-back (a power of two). */
export const LINE_RING = 4096;

export class QuietScanner {
  /** complete lines counted so far (set by the caller before a scan) */
  lines = 0;
  /** byte offset, in the input, of each recent line start: `lineStarts[line & (LINE_RING-1)]` */
  readonly lineStarts = new Float64Array(LINE_RING);
  private readonly pairs = new Uint8Array(65536);
  private readonly candidates: Array<Candidate[] | undefined> = [];
  /** per first byte of a line (after blanks): 1 loud, 2 upper-case key, 3 starts literal */
  private readonly startKinds = new Uint8Array(256);
  private readonly startLiterals: Uint8Array[] = [];
  /** per last byte of a line: 1 loud */
  private readonly endKinds = new Uint8Array(256);

  /** `sample`: the input's first bytes, to pick rare anchors */
  constructor(rules: LoudRules, sample: Uint8Array) {
    for (let first = 0; first < 256; first++) {
      for (let second = 0; second < 256; second++) {
        const pair = first | (second << 8);
        if (isBreak(first) || isBreak(second)) this.pairs[pair] = BREAK;
        else if (isControl(first) || isControl(second)) this.pairs[pair] = CONTROL;
      }
    }
    const counts = new Uint32Array(65536);
    for (let i = 0; i + 1 < sample.length; i++) {
      const pair = pairOf(sample, i);
      counts[pair] = (counts[pair] as number) + 1;
    }
    for (const text of rules.anywhere) this.addLiteral(Buffer.from(text, "latin1"), counts);
    // Unicode spaces (`\s`, trimStart) before a shape are multi-byte: such lines are loud
    for (let byte = 0x80; byte < 0x100; byte++) this.startKinds[byte] = 1;
    if (rules.upperKeys) {
      for (let byte = 0x41; byte <= 0x5a; byte++) this.startKinds[byte] = 2;
      this.startKinds[0x5f] = 2;
    }
    for (const text of rules.lineEnds ?? []) this.endKinds[text.charCodeAt(0) & 0xff] = 1;
    for (const text of rules.lineStarts) {
      const literal = Buffer.from(text, "latin1");
      this.startLiterals.push(literal);
      const first = literal[0] as number;
      if (this.startKinds[first] === 0) this.startKinds[first] = 3;
      if (literal.length === 1) this.startKinds[first] = 1;
    }
  }

  private addLiteral(literal: Uint8Array, counts: Uint32Array): void {
    if (literal.length < 3) throw new Error("quiet-scanner: literals need 3 bytes or more");
    for (const parity of [0, 1]) {
      let best = parity;
      for (let at = parity; at + 1 < literal.length; at += 2) {
        if ((counts[pairOf(literal, at)] as number) < (counts[pairOf(literal, best)] as number))
          best = at;
      }
      const pair = pairOf(literal, best);
      this.pairs[pair] = ANCHOR;
      const list = this.candidates[pair] ?? [];
      list.push({ literal, at: best });
      this.candidates[pair] = list;
    }
  }

  /**
   * Scans the whole lines in `bytes[from..to)` (`to` ends a certain break, or is the end of
   * input when `atEof`), counting them in `lines` and recording their starts (`base` is
   * the input offset of `bytes[0]`). Returns the index in `bytes` where the first loud line
   * starts (`lines` then counts the lines before it), or -1.
   * `words` must view the same memory as `bytes`, which must start 4-byte aligned.
   */
  scan(
    bytes: Uint8Array,
    words: Uint32Array,
    from: number,
    to: number,
    base: number,
    atEof: boolean,
  ): number {
    const pairs = this.pairs;
    let lineStart = from;
    /** bytes before this are done */
    let cursor = from;
    this.lineStarts[(this.lines + 1) & (LINE_RING - 1)] = base + from;
    if (from < to && this.loudStart(bytes, from, to)) return from;
    const lastWord = (to + 3) >> 2;
    for (let w = nextFlagged(pairs, words, from >> 2, lastWord); w < lastWord; ) {
      const word = words[w] as number;
      for (let half = 0; half < 2; half++) {
        const pair = half === 0 ? word & 0xffff : word >>> 16;
        const kind = pairs[pair] as number;
        if (kind === QUIET) continue;
        const at = (w << 2) + (half << 1);
        if (kind === ANCHOR) {
          if (this.anchorMatches(bytes, pair, at, lineStart, to)) return lineStart;
          continue;
        }
        for (let i = Math.max(at, cursor); i < at + 2 && i < to; i++) {
          const byte = bytes[i] as number;
          if (isControl(byte)) return lineStart;
          if (!isBreak(byte)) continue;
          if (i - lineStart > MAX_QUIET_BYTES) return lineStart;
          if (i > lineStart && this.endKinds[bytes[i - 1] as number] === 1) return lineStart;
          const next = breakEnd(bytes, i, to);
          this.lines++;
          lineStart = next;
          cursor = next;
          this.lineStarts[(this.lines + 1) & (LINE_RING - 1)] = base + next;
          if (next < to && this.loudStart(bytes, next, to)) return next;
          i = next - 1;
        }
      }
      w = nextFlagged(pairs, words, w + 1, lastWord);
    }
    // the input's last line may have no break
    if (atEof && lineStart < to) {
      if (to - lineStart > MAX_QUIET_BYTES) return lineStart;
      if (this.endKinds[bytes[to - 1] as number] === 1) return lineStart;
      this.lines++;
    }
    return -1;
  }

  private anchorMatches(
    bytes: Uint8Array,
    pair: number,
    at: number,
    lineStart: number,
    to: number,
  ): boolean {
    for (const { literal, at: offset } of this.candidates[pair] ?? []) {
      const start = at - offset;
      if (start < lineStart || start + literal.length > to) continue;
      let i = 0;
      while (i < literal.length && bytes[start + i] === literal[i]) i++;
      if (i === literal.length) return true;
    }
    return false;
  }

  /** The line starting at `start` has a loud start shape. */
  private loudStart(bytes: Uint8Array, start: number, to: number): boolean {
    let i = start;
    while (i < to && (bytes[i] === 0x20 || bytes[i] === 0x09)) i++;
    if (i >= to) return false;
    switch (this.startKinds[bytes[i] as number]) {
      case 1:
        return true;
      case 2:
        return upperKeyAt(bytes, i, to);
      case 3:
        return this.startLiterals.some((literal) => literal.every((b, k) => bytes[i + k] === b));
      default:
        return false;
    }
  }
}

/** The first word from `w` with a byte pair that is not quiet, or `end`. (The hot loop.) */
function nextFlagged(pairs: Uint8Array, words: Uint32Array, w: number, end: number): number {
  let i = w;
  while (i < end) {
    const word = words[i] as number;
    if (((pairs[word & 0xffff] as number) | (pairs[word >>> 16] as number)) !== QUIET) return i;
    i++;
  }
  return end;
}

/** `[A-Z_][A-Z0-9_ ]*` then `:` or `=` at `at`. */
function upperKeyAt(bytes: Uint8Array, at: number, to: number): boolean {
  let i = at + 1;
  for (; i < to; i++) {
    const b = bytes[i] as number;
    const keyByte =
      (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x20;
    if (!keyByte) break;
  }
  return i < to && (bytes[i] === 0x3a || bytes[i] === 0x3d);
}
