/**
 * @module knowledge/vulns/quoted-reports
 * The reports a fix message quotes (oops, KASAN, WARNING, lockdep, hung task…), read with
 * crashlens' own report parser so that a record and a user's log give comparable
 * signatures. Commit messages trim what they quote, so three shapes the log parser rightly
 * refuses in a ticket are read here too: a headline alone ("BUG: KASAN: … in f+0x6ac/0xdb4"
 * then prose), a stack without its headline (a `RIP:` line and a `Call Trace:`), and traces
 * run through `decode_stacktrace.sh` (`f (net/core/dev.c:123)`). Bounded: a message is read
 * on its first `maxMessageChars` characters and keeps at most `maxReportsPerRecord` reports.
 */
import { findHeader } from "../../oops/headers.js";
import { parseText } from "../../oops/parse.js";
import type { Report } from "../../oops/report.js";
import { lineAlone } from "../../text/normalize.js";
import type { QuotedReport } from "../kb/record.js";
import { canonicalSymbol, isGenericFrame, maxSignatureFrames, signatureOf } from "../signature.js";

export const maxMessageChars = 256 * 1024;
export const maxReportsPerRecord = 8;

/** Shapes of quoted lines, each rewritten into the form a kernel prints. */
const lineRewrites: ReadonlyArray<{ why: string; from: RegExp; to: string }> = [
  {
    why: "tabs: column-based shapes (register dumps, frame indents) count spaces",
    from: /\t/g,
    to: "        ",
  },
  {
    why: "timestamps edited away to `[]`, or printed `[    3.354615 ]`",
    from: /^(\s*)\[\s*(\d+\.\d+)?\s*\]\s?/gm,
    to: "$1[$2] ",
  },
  {
    why: "decode_stacktrace.sh replaces `f+0x1c/0x40` by `f (file.c:123)`: give the frame its offset back (the value is never used)",
    from: /^(\s*(?:\[[\d.]*\]\s*)?(?:\?\s+)?)([A-Za-z_][\w.]*) \(([\w/.+-]+\.[chS]:\d+(?::\d+)?)\)(.*)$/gm,
    to: "$1$2+0x0/0x1 $3$4",
  },
  {
    why: "a RIP line trimmed to the bare name",
    from: /^(\s*(?:\[[\d.]*\]\s*)?RIP: [0-9a-f]{4}:)([A-Za-z_][\w.]*)\s*$/gm,
    to: "$1$2+0x0/0x1",
  },
  {
    why: "an elided part of a report (`...`, `[...]`, `<snip>`) is not a line of it",
    from: /^\s*(?:\[[\d.]*\]\s*)?(?:\[\s*)?(?:\.\.\.+|…|<snip>|\[snip\])(?:\s*\])?\s*\n/gim,
    to: "",
  },
];

/** An empty timestamp left by the rewrite above carries nothing. */
const emptyStamp = /^(\s*)\[\] /gm;

/**
 * Lines of a stack trimmed to bare names ("Call Trace:" then "  iommu_dma_alloc"): each is
 * given an offset so the parser reads it as the frame it is.
 */
function restoreBareFrames(lines: string[]): void {
  let inTrace = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (traceStart.test(line)) {
      inTrace = true;
      continue;
    }
    if (!inTrace) continue;
    const bare = /^(\s+(?:\?\s+)?)([A-Za-z_][\w.]*)\s*$/.exec(line);
    if (bare) lines[i] = `${bare[1]}${bare[2]}+0x0/0x1`;
    else if (!/^\s*<\/?(?:TASK|IRQ|NMI|SOFTIRQ)>\s*$/.test(line) && !frameAnywhere.test(line))
      inTrace = false;
  }
}

/** A printk timestamp opening a line. */
const stamped = /^\s*\[\s*\d+\.\d+\]/;

/**
 * Lines a mailer wrapped at 72–80 columns: in a quote whose lines all carry a printk
 * timestamp, a line without one (and not blank) is the end of the one before.
 */
function unwrapStamped(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const prev = out[out.length - 1];
    if (
      prev !== undefined &&
      stamped.test(prev) &&
      /\S/.test(line) &&
      !stamped.test(line) &&
      !/^\s*\[/.test(line)
    )
      out[out.length - 1] = `${prev} ${line.trim()}`;
    else out.push(line);
  }
  return out;
}

function rewrite(text: string): string {
  let out = text;
  for (const { from, to } of lineRewrites) out = out.replace(from, to);
  const lines = unwrapStamped(out.replace(emptyStamp, "$1").split("\n"));
  restoreBareFrames(lines);
  return lines.join("\n");
}

/** `f+0x1c/0x40 [mod]` (or `f+0x1c`) in a line; the name and module. */
const frameAnywhere =
  /(?:^|[\s:(<])(\?\s+)?([A-Za-z_][\w.]*)\+0x[0-9a-f]+(?:\/0x[0-9a-f]+)?(?:\s+\[([\w-]+)\])?/;
/** Where the CPU was: x86 `RIP: 0010:f+…`, arm64 `pc : f+…`, arm `PC is at f+…`, ppc `NIP [..] f+…`. */
const ipLine =
  /^(?:RIP: [0-9a-f]{4}:|EIP: [0-9a-f]{4}:|pc\s*:\s*(?:\[<[0-9a-f]+>\]\s*)?|PC is at |NIP\s*\[[0-9a-f]+\]\s*|epc\s*:\s*)/;
const inlineFrame = /^\s*([A-Za-z_][\w.]*) [\w/.+-]+\.[chS]:\d+(?::\d+)? \[inline\]\s*$/;
const traceStart = /^\s*(?:Call [Tt]race:|Backtrace:|Stack:)/;

interface LooseFrame {
  symbol: string;
  module?: string;
  reliable: boolean;
  ip?: boolean;
}

/** A signature from loose frames (a stack without its headline): no title, kind unknown. */
function looseSignature(frames: readonly LooseFrame[]): QuotedReport | undefined {
  const report = {
    title: "",
    kind: "other",
    trace: frames
      .filter((f) => !f.ip)
      .map((f) => ({ symbol: f.symbol, module: f.module ?? null, reliable: f.reliable })),
  } as unknown as Report;
  const ip = frames.find((f) => f.ip);
  if (ip) (report as { ip?: unknown }).ip = { symbol: ip.symbol, module: ip.module ?? null };
  const signature = signatureOf(report);
  return signature.frames.length >= 2 ? signature : undefined;
}

/**
 * Stacks quoted without a headline: a run of frame lines (after `Call Trace:` or a `RIP:`
 * line), outside any report the parser found.
 */
function headlessStacks(
  lines: readonly string[],
  covered: (no: number) => boolean,
): QuotedReport[] {
  const out: QuotedReport[] = [];
  let run: LooseFrame[] = [];
  let inTrace = false;
  const flush = () => {
    const sig = run.length > 0 ? looseSignature(run) : undefined;
    if (sig) out.push(sig);
    run = [];
    inTrace = false;
  };
  lines.forEach((text, i) => {
    if (covered(i + 1)) {
      flush();
      return;
    }
    const line = lineAlone({ no: i + 1, text });
    if (!line) return; // blank lines do not end a quoted stack
    const body = line.text;
    if (traceStart.test(body)) {
      inTrace = true;
      return;
    }
    const m = frameAnywhere.exec(body);
    if (m && ipLine.test(body.trimStart())) {
      run.push({ symbol: m[2] as string, module: m[3], reliable: true, ip: true });
      return;
    }
    if (m && inTrace && /^\s*(?:\?\s+)?(?:\[<[0-9a-f]+>\]\s*)*[A-Za-z_]/.test(body)) {
      run.push({ symbol: m[2] as string, module: m[3], reliable: !m[1] });
      return;
    }
    // a symbolised trace's inlined frame: "__dump_stack lib/dump_stack.c:94 [inline]"
    const inline = inTrace ? inlineFrame.exec(body) : null;
    if (inline) {
      run.push({ symbol: inline[1] as string, reliable: true });
      return;
    }
    // register dumps and markers between the RIP line and the trace keep the run open
    if (
      /^\s*(?:<\/?(?:TASK|IRQ|NMI|SOFTIRQ)>|[A-Z0-9]{2,3}: |Code: |RSP: |CR2: |FS: |CS: |Modules linked in:|Hardware name:|CPU: \d|Workqueue:|PKRU:|EFLAGS|lr\s*:|sp\s*:|x\d+\s*:)/.test(
        body,
      )
    )
      return;
    flush();
  });
  flush();
  return out;
}

/** The function a headline names: `in f+0x…`, `at file:line f+0x…`, `RIP … f+0x…`, ` in f`. */
function headlineFunction(text: string): string | undefined {
  return frameAnywhere.exec(text)?.[2] ?? / in ([A-Za-z_]\w+)(?:\s|$)/.exec(text)?.[1];
}

/**
 * Headlines quoted alone: parsed again with a one-frame stack made from the function they
 * name, so the format table gives them their real title and kind.
 */
function loneHeadlines(lines: readonly string[], covered: (no: number) => boolean): QuotedReport[] {
  const out: QuotedReport[] = [];
  lines.forEach((text, i) => {
    if (covered(i + 1)) return;
    const line = lineAlone({ no: i + 1, text });
    if (!line) return;
    const header = findHeader(line);
    if (!header) return;
    // a symbolised headline's source position is not part of its title
    const headline = line.text
      .slice(header.index)
      .replace(/ [\w/.+-]+\.[chS]:\d+(?::\d+)?(?: \[inline\])?\s*$/, "");
    const named = headlineFunction(headline);
    const fn = named && !isGenericFrame(canonicalSymbol(named)) ? named : undefined;
    const next = lines[i + 1] ?? "";
    // KASAN's access line ("Read of size 4 at …") is part of its title
    const access = /^\s*(?:Read|Write) of size/.test(next) ? `${next.trim()}\n` : "";
    // frames quoted right under the headline, without their "Call Trace:"
    const frames: string[] = [];
    for (const after of lines.slice(i + 1 + (access ? 1 : 0), i + 1 + maxSignatureFrames)) {
      const name = frameAnywhere.exec(after)?.[2] ?? inlineFrame.exec(after)?.[1];
      if (!name) break;
      frames.push(name);
    }
    if (fn) frames.unshift(fn);
    if (frames.length === 0) return;
    // two body lines at least: a lone frame is repeated (signatures fold repeats)
    if (frames.length === 1) frames.push(frames[0] as string);
    const stack = frames.map((name) => ` ${name}+0x0/0x1\n`).join("");
    const text2 = `${headline}\n${access}Call Trace:\n${stack}`;
    for (const report of parseText(text2).reports) {
      const signature = signatureOf(report);
      if (signature.frames.length > 0) out.push(signature);
    }
  });
  return out;
}

/**
 * The reports the log parser reads in `message` as a kernel printed them (after the rewrites
 * above), each with its lines: what a test re-renders as another machine would print it.
 */
export function parsedQuotes(message: string): Array<{ signature: QuotedReport; text: string }> {
  const text = rewrite(message.slice(0, maxMessageChars));
  const lines = text.split("\n");
  return parseText(text)
    .reports.map((report) => {
      // the title may come from lines past the report's own (kmemleak's backtrace): the
      // quote runs on to the next blank line
      let end = Math.max(
        report.lines.end,
        report.ip?.line ?? 0,
        ...report.trace.map((f) => f.line),
      );
      while (end < lines.length && end < report.lines.end + 60 && /\S/.test(lines[end] as string))
        end++;
      return {
        signature: signatureOf(report),
        text: lines.slice(report.lines.start - 1, end).join("\n"),
      };
    })
    .filter((q) => q.signature.frames.length > 0);
}

/** Signatures of the reports quoted in `message`, one per distinct report. */
export function quotedReports(message: string): QuotedReport[] {
  const text = rewrite(message.slice(0, maxMessageChars));
  // a report the parser found but could read no frame of is read again as a headline
  const parsed = parseText(text)
    .reports.map((report) => ({ report, signature: signatureOf(report) }))
    .filter((p) => p.signature.frames.length > 0);
  const spans = parsed.map((p) => p.report.lines);
  const covered = (no: number) => spans.some((s) => no >= s.start && no <= s.end);
  const lines = text.split("\n");
  const all = [
    ...parsed.map((p) => p.signature),
    ...loneHeadlines(lines, covered),
    ...headlessStacks(lines, covered),
  ];
  const out: QuotedReport[] = [];
  const seen = new Set<string>();
  for (const signature of all) {
    // a headline with nothing after it (prose that mentions "BUG:") identifies nothing
    if (signature.frames.length === 0) continue;
    const key = JSON.stringify(signature);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(signature);
    if (out.length >= maxReportsPerRecord) break;
  }
  return out;
}

/** The summary after the subsystem prefixes: "wifi: mt76: mt7921e: fix …" → "fix …". */
function summaryOf(subject: string): string {
  return subject.replace(/^(?:[\w/.,+{}-]+:\s+)+/, "");
}

/** Words that look like identifiers but are the kernel's vocabulary, not one function. */
const notFunctions = new Set([
  "use_after_free",
  "null_ptr_deref",
  "out_of_bounds",
  "slab_out_of_bounds",
  "uninit_value",
]);

/**
 * Functions a fix's subject names: `name()` anywhere, and snake_case identifiers in the
 * summary ("fix NULL deref in tcp_v4_rcv"). Generic machinery is left out.
 */
export function subjectFunctions(subject: string): string[] {
  const out = new Set<string>();
  for (const m of subject.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\(\)/g)) out.add(m[1] as string);
  for (const m of summaryOf(subject).matchAll(
    /(?<![\w./-])([a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9])(?![\w/.-])/g,
  ))
    out.add(m[1] as string);
  return [...out]
    .map(canonicalSymbol)
    .filter((name) => name.length > 2 && !notFunctions.has(name) && !isGenericFrame(name));
}
