/**
 * @module oops/fields/trace
 * Reads a stack listing into frames: every shape the kernel has printed (x86 with and
 * without `[<address>]`, arm's "(callee) from (caller)", ppc's "(unreliable)", symbolised
 * syzkaller logs with `file:line [inline]`), with the stack each frame ran on taken from
 * `<IRQ>`/`<NMI>`/`<SOFTIRQ>` markers and softirq entry frames.
 */
import type { Frame, FrameContext } from "../report.js";
import { bracketAddress, hexAddress, parseLocation } from "./location.js";

/** Stack-section markers and the context they switch to; `undefined` = back to the task. */
const MARKERS: ReadonlyArray<[RegExp, FrameContext | undefined]> = [
  [/^<IRQ>/, "irq"],
  [/^<SOFTIRQ>/, "softirq"],
  [/^<NMI>/, "nmi"],
  [/^<#(?:DF|MC|DB|VC)>|^<(?:DB|MCE|VE)>/, "exception"],
  // x86 before 4.9 closed an exception stack with "<<EOE>>", later ones with "<EOE>"
  [/^<\/(?:IRQ|SOFTIRQ|NMI)>|^<EOI>|^<<?EOE>>?|^<TASK>|^<\/TASK>/, undefined],
];

/** Frames above one of these were called from softirq processing. */
const SOFTIRQ_ENTRY = /^(?:__do_softirq|handle_softirqs|do_softirq|__softirqentry_text_start)$/;

/** "func include/linux/genhd.h:217 [inline]" in symbolised logs. */
const INLINE_FRAME = /^\s*([A-Za-z_][\w.]*) ((?:[\w.\-/]+)\.\w+:\d+) \[inline\]/;
/** "file.c:123" printed after a frame by symbolisers. */
const SOURCE = /\s((?:[\w.\-/]+)\.[chS]:\d+)(?:\s|$)/;

export interface TraceState {
  context: FrameContext;
}

/**
 * Parses one line of a listing; updates the context on markers. Returns the frames the line
 * holds (arm prints two per line), or undefined when it is neither frame nor marker.
 */
export function parseFrameLine(text: string, line: number, state: TraceState): Frame[] | undefined {
  let rest = text.trim();
  let marker = false;
  for (;;) {
    const found = MARKERS.find(([re]) => re.test(rest));
    if (!found) break;
    marker = true;
    state.context = found[1] ?? "task";
    rest = rest.replace(found[0], "").trim();
  }
  if (rest === "") return marker ? [] : undefined;
  const frame = parseFrame(rest, line, state);
  if (!frame) return marker ? [] : undefined;
  return [frame];
}

export const ARM_NAMED_FRAME =
  /^([\w.$]+)(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?: \[([\w-]+)\])? from [\w.$]+\+0x[0-9a-f]+\/0x[0-9a-f]+(?: \[[\w-]+\])?$/;

function parseFrame(text: string, line: number, state: TraceState): Frame | undefined {
  const inline = INLINE_FRAME.exec(text);
  if (inline) {
    return {
      symbol: inline[1] as string,
      reliable: true,
      context: state.context,
      line,
      source: inline[2] as string,
      inline: true,
    };
  }
  const trimmed = text.trim();
  // arm: "[<c0123456>] (callee+0x1/0x2) from [<c0123400>] (caller+0x3/0x4)": the callee is
  // the frame; its caller appears as the callee of the next line
  const arm = /^\[<([0-9a-f]+)>\] \(([^)]+)\) from \[<[0-9a-f]+>\] \(([^)]+)\)/.exec(trimmed);
  if (arm) {
    const loc = parseLocation(arm[2] as string) ?? { symbol: arm[2] as string, module: null };
    const {
      index: _i,
      length: _l,
      ...location
    } = loc as typeof loc & { index?: number; length?: number };
    const address = hexAddress(arm[1] as string);
    return { ...location, address, reliable: true, context: state.context, line };
  }
  // arm since 5.x prints names only: "callee [mod] from caller+0x1c/0x24 [mod]"; the callee
  // is the frame (its offset is not printed), its caller the next line's callee
  const named = ARM_NAMED_FRAME.exec(trimmed);
  if (named) {
    return {
      symbol: named[1] as string,
      module: named[2] ?? null,
      reliable: true,
      context: state.context,
      line,
    };
  }
  // an address with no symbol: s390's "[<00000000027f8000>] 0x27f8000", or a bare "0xfdc88c28"
  // in SLUB's "INFO: Allocated in" tracks (a module's code the kernel could not name); not
  // the all-ones word that ends a saved stack trace ("0xffffffffffffffff")
  const bare =
    /^\(?\[<([0-9a-f]{8,16})>\]\s+(?:0x[0-9a-f]+)?\)?$|^(0x(?!f{8}$|f{16}$)[0-9a-f]{6,16})$/.exec(
      trimmed,
    );
  if (bare)
    return {
      address: hexAddress((bare[1] ?? bare[2]) as string),
      module: null,
      reliable: true,
      context: state.context,
      line,
    };
  // everything before the symbol must be addresses, "?" or "(": otherwise this is prose
  const loc = parseLocation(trimmed);
  if (!loc) return undefined;
  const before = trimmed.slice(0, loc.index);
  if (!/^(?:\(?\[<?(?:0x)?[0-9a-f]+>?\]\)?\s*)*(?:\?\s*)?\(?$/.test(before)) return undefined;
  const after = trimmed.slice(loc.index + loc.length);
  const frame: Frame = {
    symbol: loc.symbol as string,
    offset: loc.offset as number,
    module: loc.module ?? null,
    reliable: !before.includes("?") && !after.includes("(unreliable)"),
    context: state.context,
    line,
  };
  if (loc.size !== undefined) frame.size = loc.size;
  // ppc prints "[stack pointer] [return address] func": the code address is the last one
  const address = bracketAddress(before.slice(before.lastIndexOf("[")));
  if (address) frame.address = address;
  const source = SOURCE.exec(after);
  if (source) frame.source = source[1] as string;
  return frame;
}

/**
 * Frames in an IRQ section that sit above a softirq entry frame ran in softirq context
 * (the kernel marks the whole section `<IRQ>` either way).
 */
export function refineSoftirq(frames: Frame[]): void {
  const original = frames.map((f) => f.context);
  let runStart = 0;
  let marked = false;
  for (const [i, frame] of frames.entries()) {
    if (i > 0 && original[i] !== original[i - 1]) {
      runStart = i;
      marked = false;
    }
    // only the innermost softirq entry of a run: do_softirq below __do_softirq is IRQ work
    if (!marked && original[i] === "irq" && SOFTIRQ_ENTRY.test(frame.symbol ?? "")) {
      for (let j = runStart; j < i; j++) (frames[j] as Frame).context = "softirq";
      marked = true;
    }
  }
}
