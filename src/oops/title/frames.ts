/**
 * @module oops/title/frames
 * Reads the frames a format's stack spec asks for from the report text, and picks the one
 * that names the bug: the first frame that is not machinery, or for stalls and hangs the
 * frame found by an extractor.
 */
import { type StackPart, type StackSpec, TRACE } from "../formats/types.js";
import {
  corruptedLines,
  frameLines,
  framePrefixes,
  skipPattern,
  stackStarts,
  stallAnchors,
} from "./stack-params.js";

export interface ExtractedFrame {
  /** the name with syscall-wrapper prefixes removed: what titles use */
  canonical: string;
  /** the name as printed */
  raw: string;
}

const matchesAny = (line: string, res: readonly RegExp[]) => res.some((r) => r.test(line));

/** The shortest form of a name after removing any one of the wrapper prefixes. */
export function stripFramePrefix(name: string): string {
  let best = name;
  for (const prefix of framePrefixes) {
    if (name.startsWith(prefix) && name.length - prefix.length < best.length) {
      best = name.slice(prefix.length);
    }
  }
  return best;
}

type Extractor = (frames: readonly string[]) => { frame: string; index: number } | undefined;

/**
 * Stalls loop across several functions, so the top frame varies between reports of one bug.
 * The title uses the frame just above the first dispatcher (syscall entry, workqueue,
 * timer…), which identifies the looping code. With no dispatcher in sight (every frame was
 * unreliable, or the loop runs in a dispatcher-less context) the top frame is used.
 */
const stallExtractor: Extractor = (frames) => {
  if (frames.length === 0) return undefined;
  let prev = { frame: frames[0] as string, index: 0 };
  for (const [index, frame] of frames.entries()) {
    if (matchesAny(frame, stallAnchors)) {
      if (frame.includes("smp_call_function")) return { frame: "smp_call_function", index };
      return prev;
    }
    prev = { frame, index };
  }
  return { frame: frames[0] as string, index: 0 };
};

/** Hung tasks wait for the real culprit; waits on RCU and on RTNL group together. */
const HUNG_ANCHORS: ReadonlyArray<[string, string | undefined]> = [
  ["rtnl_lock", undefined],
  ["synchronize_rcu", "synchronize_rcu"],
  ["synchronize_srcu", "synchronize_rcu"],
  ["synchronize_net", "synchronize_rcu"],
  ["synchronize_sched", "synchronize_rcu"],
];
const HUNG_SKIP = [
  "sched",
  "_lock",
  "_slowlock",
  "down",
  "rwsem",
  "completion",
  "kthread",
  "wait",
  "synchronize",
  "context_switch",
  "__switch_to",
  "cancel_delayed_work",
  "rcu_barrier",
];

const hungTaskExtractor: Extractor = (frames) => {
  for (const [index, frame] of frames.entries()) {
    for (const [anchor, replacement] of HUNG_ANCHORS) {
      if (frame.includes(anchor)) return { frame: replacement ?? frame, index };
    }
  }
  for (const [index, frame] of frames.entries()) {
    if (!HUNG_SKIP.some((s) => frame.includes(s))) return { frame, index };
  }
  return undefined;
};

const extractors: Record<NonNullable<StackSpec["extractor"]>, Extractor> = {
  stall: stallExtractor,
  "hung-task": hungTaskExtractor,
};

const skipCache = new Map<string, RegExp>();
function skipFor(spec: StackSpec): RegExp {
  const key = (spec.skip ?? []).join("|");
  let pattern = skipCache.get(key);
  if (!pattern) {
    pattern = skipPattern(spec.skip);
    skipCache.set(key, pattern);
  }
  return pattern;
}

function appendFrames(frames: string[], match: RegExpExecArray, skip: RegExp): void {
  for (const name of match.slice(1)) {
    if (name !== undefined && !skip.test(name)) frames.push(name);
  }
}

function pickFrame(spec: StackSpec, raw: readonly string[]): ExtractedFrame | undefined {
  if (raw.length === 0) return undefined;
  const stripped = raw.map(stripFramePrefix);
  if (!spec.extractor) return { canonical: stripped[0] as string, raw: raw[0] as string };
  const picked = extractors[spec.extractor](stripped);
  if (!picked) return undefined;
  return { canonical: picked.frame, raw: raw[picked.index] as string };
}

function extractWith(
  lines: readonly string[],
  spec: StackSpec,
  parts: readonly StackPart[],
): { frames: ExtractedFrame[]; ok: boolean } {
  const skip = skipFor(spec);
  const results: ExtractedFrame[] = [];
  let raw: string[] = [];
  let ok = true;
  let traces = 0;
  let pos = 0;
  const flush = () => {
    const frame = pickFrame(spec, raw);
    if (frame) results.push(frame);
    else {
      results.push({ canonical: "corrupted", raw: "corrupted" });
      ok = false;
    }
    raw = [];
  };
  for (let partIdx = 0; ; partIdx++) {
    if (partIdx === parts.length || (parts[partIdx] === TRACE && traces > 0)) flush();
    if (partIdx === parts.length) break;
    const part = parts[partIdx] as StackPart;
    if (part === TRACE) {
      traces++;
      for (; pos < lines.length; ) {
        const line = lines[pos++] as string;
        if (matchesAny(line, corruptedLines)) {
          ok = false;
          break;
        }
        if (matchesAny(line, stackStarts)) break;
        const next = parts[partIdx + 1];
        if (next !== undefined && next !== TRACE) {
          const m = next.exec(line);
          if (m) {
            appendFrames(raw, m, skip);
            partIdx++;
            break;
          }
        }
        for (const frameRe of frameLines) {
          const m = frameRe.exec(line);
          if (m) {
            appendFrames(raw, m, skip);
            break;
          }
        }
      }
    } else {
      for (; pos < lines.length; ) {
        const line = lines[pos++] as string;
        if (matchesAny(line, corruptedLines)) {
          ok = false;
          break;
        }
        const m = part.exec(line);
        if (m) {
          appendFrames(raw, m, skip);
          break;
        }
      }
    }
  }
  return { frames: results, ok };
}

/** Frames named by `spec`, read from `lines` (the report text from its title line on). */
export function extractStackFrames(
  lines: readonly string[],
  spec: StackSpec,
): { frames: ExtractedFrame[]; ok: boolean } {
  const first = extractWith(lines, spec, spec.parts);
  if (first.ok || !spec.fallback) return first;
  return extractWith(lines, spec, spec.fallback);
}
