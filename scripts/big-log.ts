/**
 * A big syslog for the scan benchmark and the fast-path tests: realistic noise (kernel lines
 * with printk timestamps, daemon lines, syslog repeat notices, exact duplicates) with real
 * crash reports (the lab console logs in testdata/oops) inserted at a few places.
 *   npx tsx scripts/big-log.ts OUT_PATH [SIZE_MB]      (default 300 MB)
 * Deterministic for a given seed and size, so runs are comparable.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { dataFile } from "../test/inputs.js";
import { testdata } from "../test/shared.js";

export interface BigLogOptions {
  /** size to reach, in bytes (the last line may pass it) */
  bytes: number;
  /** report logs to insert, spread evenly; each is a console log ("[ts] text" lines) */
  reports: string[];
  seed?: number;
  /** noise may use non-ASCII and CRLF line ends (for the fast-path tests) */
  awkward?: boolean;
}

/** Lines of the inserted reports' headers, 1-based, for checking line numbers. */
export interface BigLogFacts {
  bytes: number;
  lines: number;
  /** the first line of each inserted report log */
  reportStarts: number[];
}

/** The lab console logs a big log is built from, header lines stripped. */
export function labReports(names = ["nullread", "bugon", "softlockup"]): string[] {
  return names.map((n) => dataFile(testdata("oops", "x86_64", `lab-${n}.txt`)).log);
}

/** mulberry32: a small seeded generator, so the same options give the same file. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const HOST = "web-07";

type Pick = (n: number) => number;
/** Message bodies: kernel lines start with "kernel:", daemon lines with their tag. */
const NOISE: Array<(pick: Pick, uptime: string) => string> = [
  (p, t) =>
    `kernel: [${t}] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:ab:cd:ef:08:00 SRC=185.${p(255)}.${p(255)}.${p(255)} DST=10.0.0.7 LEN=40 TOS=0x00 PREC=0x00 TTL=${200 + p(50)} ID=${p(65535)} PROTO=TCP SPT=${1024 + p(60000)} DPT=${[22, 23, 3389, 8080][p(4)]} WINDOW=1024 RES=0x00 SYN URGP=0`,
  (p, t) =>
    `kernel: [${t}] audit: type=1400 audit(1716483391.${p(999)}:${p(99999)}): apparmor="DENIED" operation="open" profile="snap.lxd.daemon" name="/proc/${p(9999)}/mounts" pid=${p(99999)} comm="lxd" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`,
  (p, t) =>
    `kernel: [${t}] IPv4: martian source 10.0.${p(255)}.${p(255)} from 10.0.0.1, on dev eth0`,
  (p, t) => `kernel: [${t}] EXT4-fs (sda${1 + p(3)}): re-mounted. Opts: errors=remount-ro`,
  (p, t) =>
    `kernel: [${t}] usb 1-${1 + p(4)}: new high-speed USB device number ${p(30)} using xhci_hcd`,
  (p, t) =>
    `kernel: [${t}] e1000e: eth${p(2)} NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx`,
  (p) => `systemd[1]: Started Session ${p(99999)} of user deploy.`,
  () => "systemd[1]: Starting Daily apt download activities...",
  (p) => `systemd[1]: session-${p(99999)}.scope: Succeeded.`,
  (p) =>
    `sshd[${p(65535)}]: Accepted publickey for deploy from 10.1.${p(255)}.${p(255)} port ${1024 + p(60000)} ssh2: RSA SHA256:q3Jz0u4m9Yc3XnQqk7l4b2Yv8y3s1bq0aZ2pV6wq8sE`,
  (p) => `sshd[${p(65535)}]: pam_unix(sshd:session): session opened for user deploy by (uid=0)`,
  () => "CRON[4242]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
  (p) =>
    `dhclient[${p(9999)}]: DHCPREQUEST of 10.0.0.7 on eth0 to 10.0.0.1 port 67 (xid=0x${p(1e9).toString(16)})`,
  (p) =>
    `nginx[${p(9999)}]: 10.1.${p(255)}.${p(255)} - - "GET /api/v1/items/${p(1e6)} HTTP/1.1" 200 ${p(99999)} "-" "Mozilla/5.0 (X11; Linux x86_64)"`,
  (p) => `rsyslogd: message repeated ${2 + p(8)} times: [ -- MARK -- ]`,
];
/** Noise a test wants to see: non-ASCII text and odd spacing. */
const AWKWARD: Array<(pick: Pick, uptime: string) => string> = [
  (p) => `app[${p(999)}]: Benutzer „müller“ angemeldet — 日本語のログ ✓ 🚀 ${p(99)}`,
  (p, t) => `kernel: [${t}] usb 2-1: Product: Überträger ${p(9)} ™`,
  () => "  ",
];

function stamp(ms: number): string {
  const d = new Date(Date.UTC(2024, 4, 1) + ms);
  const day = String(d.getUTCDate()).padStart(2, " ");
  const hms = d.toISOString().slice(11, 19);
  return `${MONTHS[d.getUTCMonth()]} ${day} ${hms} ${HOST}`;
}

/** The big log as text chunks of about `chunkChars`, and its facts once exhausted. */
export function* bigLogChunks(
  options: BigLogOptions,
  facts: BigLogFacts = { bytes: 0, lines: 0, reportStarts: [] },
  chunkChars = 1 << 20,
): Generator<string> {
  const rand = random(options.seed ?? 7);
  const pick: Pick = (n) => Math.floor(rand() * n);
  const table = options.awkward ? [...NOISE, ...AWKWARD] : NOISE;
  const gap = options.bytes / (options.reports.length + 1);
  let nextReport = 0;
  let ms = 0;
  let uptime = 1000;
  let parts: string[] = [];
  let chars = 0;
  let previous = "";
  const push = (line: string) => {
    const end = options.awkward && pick(50) === 0 ? "\r\n" : "\n";
    parts.push(line, end);
    chars += line.length + end.length;
    facts.bytes += Buffer.byteLength(line) + end.length;
    facts.lines++;
  };
  while (facts.bytes < options.bytes) {
    if (nextReport < options.reports.length && facts.bytes >= gap * (nextReport + 1)) {
      facts.reportStarts.push(facts.lines + 1);
      const prefix = `${stamp(ms)} kernel: `;
      for (const line of (options.reports[nextReport] as string).split("\n")) push(prefix + line);
      nextReport++;
    }
    ms += pick(900);
    uptime += pick(900) / 1000;
    // daemons repeat themselves: a quarter of the lines are an exact copy of the one before
    const body =
      previous !== "" && pick(4) === 0
        ? previous
        : (table[pick(table.length)] as (p: Pick, t: string) => string)(
            pick,
            uptime.toFixed(6).padStart(12, " "),
          );
    previous = body;
    push(body.trim() === "" ? body : `${stamp(ms)} ${body}`);
    if (chars >= chunkChars) {
      yield parts.join("");
      parts = [];
      chars = 0;
    }
  }
  if (parts.length > 0) yield parts.join("");
}

/** Writes a big log to `path`; returns its facts. */
export function writeBigLog(path: string, options: BigLogOptions): BigLogFacts {
  const facts: BigLogFacts = { bytes: 0, lines: 0, reportStarts: [] };
  const fd = openSync(path, "w");
  try {
    for (const chunk of bigLogChunks(options, facts)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return facts;
}

if (process.argv[1]?.endsWith("big-log.ts")) {
  const [out, mb] = process.argv.slice(2);
  if (!out) {
    console.error("usage: tsx scripts/big-log.ts OUT_PATH [SIZE_MB]");
    process.exit(2);
  }
  const facts = writeBigLog(out, { bytes: Number(mb ?? 300) * 1e6, reports: labReports() });
  console.log(
    `${out}: ${facts.bytes} bytes, ${facts.lines} lines, reports at ${facts.reportStarts}`,
  );
}
