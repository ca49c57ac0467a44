/**
 * Scores crashlens on the real-world pastes in testdata/realworld (see its README): for each
 * expected report, whether crashlens found it (matched by header text, in order), its kind,
 * its culprit (where one can be named, and "none" where the expectation says none can), and
 * the findings the expectation marks false. Reports crashlens finds that the expectation does
 * not list (in mention-only texts above all) are counted as extra reports.
 *   npm run conformance -- realworld [--verbose]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeText } from "../src/analyze.js";
import { type DiagnosedReport, diagnose } from "../src/diagnose/index.js";
import { baseSymbol } from "../src/oops/fields/location.js";
import { linesOfString } from "../src/text/line-source.js";

export interface ExpectedReport {
  header: string;
  kind: string;
  culprit: { symbol: string; module: string | null } | null;
  noCulprit?: string;
  /** findings that would be false; `claim` (a regular expression) narrows one to the
   * findings of that rule whose summary makes the false claim, when the rule can also say
   * something true about the same report (a second module, a different wording) */
  falseFindings?: { id: string; why: string; claim?: string }[];
}

export interface Expectation {
  source: string;
  shape: string;
  arch: string;
  release: string | null;
  reports: ExpectedReport[];
  notes?: string;
}

export interface RealworldScore {
  cases: number;
  expected: number;
  found: number;
  kindRight: number;
  /** expected reports whose culprit can be named, and those crashlens named rightly */
  culpritNamed: number;
  culpritRight: number;
  /** expected reports where no culprit can be named, and those where crashlens named none */
  culpritNone: number;
  culpritNoneRight: number;
  falseFindings: number;
  extraReports: number;
  /** one line per miss, "file: what" */
  misses: string[];
}

/** leading characters of an expected header that identify its line */
const HEADER_KEY_CHARS = 40;

const squash = (text: string) => text.replace(/\s+/g, " ").trim();

function culpritText(c: { symbol: string; module?: string | null } | null | undefined): string {
  return c ? `${baseSymbol(c.symbol)}${c.module ? ` [${c.module}]` : ""}` : "none";
}

/**
 * Pairs expected reports with crashlens' in order. An expected report is found where its
 * header text occurs (after the previous one's) on a line that one of crashlens' reports
 * spans: the pairing does not depend on which line crashlens calls the header (a `cut here`
 * marker, a WARNING line or a `refcount_t:` line of the same report).
 */
function pair(
  expected: readonly ExpectedReport[],
  got: readonly DiagnosedReport[],
  lines: readonly string[],
): (DiagnosedReport | undefined)[] {
  let fromLine = 0;
  let fromReport = 0;
  return expected.map((e) => {
    // a mail client may have wrapped the header line: its first words identify it
    const header = squash(e.header).slice(0, HEADER_KEY_CHARS);
    // the header may also stand in a title or a sentence before the log: take the first
    // occurrence that lies inside one of crashlens' reports
    for (let at = fromLine; at < lines.length; at++) {
      if (!squash(lines[at] as string).includes(header)) continue;
      const no = at + 1;
      const index = got.findIndex(
        (g, i) => i >= fromReport && g.lines.start <= no && no <= g.lines.end,
      );
      if (index < 0) continue;
      fromLine = at + 1;
      fromReport = index + 1;
      return got[index];
    }
    return undefined;
  });
}

export async function scoreCase(
  name: string,
  text: string,
  expectation: Expectation,
  score: RealworldScore,
): Promise<void> {
  const got = await diagnose(analyzeText(text));
  const pairs = pair(
    expectation.reports,
    got,
    linesOfString(text).map((l) => l.text),
  );
  score.cases++;
  expectation.reports.forEach((exp, i) => {
    score.expected++;
    const report = pairs[i];
    if (!report) {
      score.misses.push(`${name}: not found: ${exp.header}`);
      return;
    }
    score.found++;
    if (report.kind === exp.kind) score.kindRight++;
    else score.misses.push(`${name}: kind ${report.kind}, expected ${exp.kind}: ${exp.header}`);
    const want = culpritText(exp.culprit);
    const have = culpritText(report.culprit);
    if (exp.culprit) {
      score.culpritNamed++;
      if (want === have) score.culpritRight++;
      else score.misses.push(`${name}: culprit ${have}, expected ${want}`);
    } else {
      score.culpritNone++;
      if (report.culprit === undefined) score.culpritNoneRight++;
      else score.misses.push(`${name}: culprit ${have}, expected none (${exp.noCulprit ?? ""})`);
    }
    for (const bad of exp.falseFindings ?? []) {
      const claim = bad.claim === undefined ? undefined : new RegExp(bad.claim);
      if (report.findings.some((f) => f.id === bad.id && (!claim || claim.test(f.summary)))) {
        score.falseFindings++;
        score.misses.push(`${name}: false finding ${bad.id} (${bad.why})`);
      }
    }
  });
  const used = new Set(pairs);
  for (const report of got) {
    if (used.has(report)) continue;
    score.extraReports++;
    score.misses.push(`${name}: extra report at line ${report.lines.start}: ${report.title}`);
  }
}

export async function scoreRealworld(dir: string): Promise<RealworldScore> {
  const score: RealworldScore = {
    cases: 0,
    expected: 0,
    found: 0,
    kindRight: 0,
    culpritNamed: 0,
    culpritRight: 0,
    culpritNone: 0,
    culpritNoneRight: 0,
    falseFindings: 0,
    extraReports: 0,
    misses: [],
  };
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".expect.json"))
    .sort()) {
    const name = file.replace(/\.expect\.json$/, "");
    const expectation = JSON.parse(readFileSync(join(dir, file), "utf8")) as Expectation;
    const text = readFileSync(join(dir, `${name}.txt`), "utf8");
    await scoreCase(name, text, expectation, score);
  }
  return score;
}

export function printRealworld(score: RealworldScore, verbose: boolean): void {
  const pct = (a: number, b: number) => `${((100 * a) / Math.max(b, 1)).toFixed(1)}% (${a}/${b})`;
  console.log(`cases:             ${score.cases}`);
  console.log(`reports found:     ${pct(score.found, score.expected)}`);
  console.log(`kind right:        ${pct(score.kindRight, score.found)}`);
  console.log(
    `culprit right:     ${pct(score.culpritRight, score.culpritNamed)} where one can be named`,
  );
  console.log(
    `culprit none:      ${pct(score.culpritNoneRight, score.culpritNone)} where none can`,
  );
  console.log(`false findings:    ${score.falseFindings}`);
  console.log(`extra reports:     ${score.extraReports}`);
  if (verbose) for (const m of score.misses) console.log(`  ${m}`);
  else console.log(`(${score.misses.length} misses; --verbose lists them)`);
}
