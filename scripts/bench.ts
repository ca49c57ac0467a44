/**
 * `npm run bench`: on the lab dumps, times `crashlens dmesg` (and `crashlens analyze` when the
 * command exists) against vmcore-dmesg, makedumpfile --dump-dmesg, crash (`log`, needs the
 * -dbg vmlinux) and drgn, whole process, several runs; prints medians, ratios and peak RSS.
 * Missing peers are installed from Debian's packages when running as root; anything that
 * cannot run is skipped with the reason printed.
 * Then the "scan" section (scripts/bench-scan.ts): `analyze` on big generated syslogs
 * against `grep -c 'BUG:'`, and the "startup" section (scripts/bench-startup.ts): `analyze`
 * of one short log, whole process.
 * Options: --runs N (default 5), --slow-runs N (crash/drgn, default 3), --no-install, --dumps a,b,
 * --only scan|startup|shell|fleet (that section alone; scan, startup and fleet need no lab dumps).
 * The "shell" section (scripts/bench-shell.ts): time to a first `bt` against crash and drgn.
 * The "fleet" section (scripts/bench-fleet.ts): `crashlens serve` under 10,000 submissions on
 * SQLite and PostgreSQL, and a kill -9 mid-ingest.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { openDump } from "../src/dump/index.js";
import { formatLog, openKernel } from "../src/kernel/index.js";
import { benchFleet } from "./bench-fleet.js";
import { benchScan } from "./bench-scan.js";
import { benchShell } from "./bench-shell.js";
import { benchStartup } from "./bench-startup.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const runs = Number(option("--runs", "5"));
const slowRuns = Number(option("--slow-runs", "3"));
const install = !args.includes("--no-install");
const lab = resolve("../shared/lab/dumps");
const release = "6.1.0-56-cloud-amd64";
const vmlinux = `/usr/lib/debug/boot/vmlinux-${release}`;
const dumps = option(
  "--dumps",
  "nullread.kdump-zlib,nullread.kdump-lzo,nullread.elf,oom.qemu-kdump-flat,hung.kdump-zlib,softlockup.kdump-zlib,bugon.kdump-zlib",
).split(",");

// NODE_EXTRA_CA_CERTS makes every Node process parse a CA bundle at start (~35 ms here): a
// property of this machine's environment, not of crashlens. Node runs are timed without it.
const cleanEnv = { ...process.env };
delete cleanEnv.NODE_EXTRA_CA_CERTS;

const sections: Record<string, () => void | Promise<void>> = {
  scan: () => benchScan(Number(option("--runs", "3")), cleanEnv),
  startup: () => benchStartup(Number(option("--runs", "15")), cleanEnv),
  shell: () => benchShell(Number(option("--runs", "5")), cleanEnv),
  fleet: () =>
    benchFleet(Number(option("--fleet-count", "10000")), Number(option("--concurrency", "256"))),
};
const only = sections[option("--only", "")];
if (only !== undefined) {
  await only();
  process.exit(0);
}

if (!existsSync(lab)) {
  console.error(`bench: lab dumps not found at ${lab}`);
  process.exit(1);
}

const has = (cmd: string) =>
  spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
const isRoot = process.getuid?.() === 0;
const notes: string[] = [];

function ensure(command: string, pkg: string): boolean {
  if (has(command)) return true;
  if (!install || !isRoot) {
    notes.push(
      `${command}: not installed (${pkg}); ${isRoot ? "--no-install given" : "not root, cannot apt-get install"}`,
    );
    return false;
  }
  console.error(`bench: installing ${pkg} …`);
  const r = spawnSync("apt-get", ["install", "-y", pkg], {
    stdio: "ignore",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.status !== 0 || !has(command)) {
    notes.push(`${command}: apt-get install ${pkg} failed`);
    return false;
  }
  return true;
}

const peers = {
  makedumpfile: ensure("makedumpfile", "makedumpfile"),
  vmcoreDmesg: ensure("vmcore-dmesg", "kexec-tools"),
  crash: ensure("crash", "crash"),
  drgn: ensure("drgn", "python3-drgn"),
};
let haveVmlinux = existsSync(vmlinux);
if (!haveVmlinux && install && isRoot && (peers.crash || peers.drgn)) {
  console.error(`bench: installing linux-image-${release}-dbg (large) …`);
  const r = spawnSync("apt-get", ["install", "-y", `linux-image-${release}-dbg`], {
    stdio: "ignore",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  haveVmlinux = r.status === 0 && existsSync(vmlinux);
}
if (!haveVmlinux)
  notes.push(
    `crash, drgn: skipped, ${vmlinux} is missing (package linux-image-${release}-dbg could not be installed)`,
  );
const hasTime = existsSync("/usr/bin/time");
const helpText = spawnSync(process.execPath, ["bin/crashlens.js", "--help"], {
  encoding: "utf8",
}).stdout;
const hasAnalyze = /^\s+analyze\b/m.test(helpText);
if (!hasAnalyze)
  notes.push("crashlens analyze: skipped, the command does not exist yet in this build");

interface Measure {
  median?: number;
  rssKiB?: number;
  ok: boolean;
  note?: string;
}

/** whole-process wall time (ms), median of n runs; peak RSS through /usr/bin/time */
function time(
  argv: string[],
  n: number,
  input?: string,
  env: NodeJS.ProcessEnv = process.env,
): Measure {
  const samples: number[] = [];
  let ok = true;
  let rss: number | undefined;
  let note: string | undefined;
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0] as string, argv.slice(1), {
      encoding: "latin1",
      input,
      env,
      maxBuffer: 1 << 28,
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0 || r.stdout.length < 1000) {
      ok = false;
      note = `exit ${r.status}: ${(r.stderr || r.stdout).trim().split("\n").slice(-1)[0]?.slice(0, 90)}`;
      break;
    }
    samples.push(ms);
  }
  if (ok && hasTime) {
    const r = spawnSync("/usr/bin/time", ["-f", "%M", ...argv], {
      encoding: "latin1",
      input,
      env,
      maxBuffer: 1 << 28,
    });
    rss = Number(r.stderr.trim().split("\n").pop());
  }
  samples.sort((a, b) => a - b);
  const m: Measure = { ok };
  if (samples.length > 0) m.median = samples[Math.floor(samples.length / 2)] as number;
  if (rss !== undefined && Number.isFinite(rss)) m.rssKiB = rss;
  if (note !== undefined) m.note = note;
  return m;
}

async function inProcess(path: string, n: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n + 1; i++) {
    const start = process.hrtime.bigint();
    const dump = await openDump(path);
    const log = await (await openKernel(dump)).readLog();
    formatLog(log.records);
    await dump.close();
    if (i > 0) samples.push(Number(process.hrtime.bigint() - start) / 1e6); // first run warms the JIT
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

// drgn 0.0.22 has no -e: give it a script file
const drgnScript = "/tmp/crashlens-bench-drgn.py";
writeFileSync(
  drgnScript,
  "import sys\nfrom drgn.helpers.linux.printk import get_dmesg\nsys.stdout.buffer.write(get_dmesg(prog))\n",
);
// (Node runs are timed without NODE_EXTRA_CA_CERTS; one column keeps it for comparison.)
const caNote = process.env.NODE_EXTRA_CA_CERTS !== undefined;
const nodeBaseline = time(
  [process.execPath, "-e", "process.stdout.write('x'.repeat(2000))"],
  runs,
  undefined,
  cleanEnv,
);

const fmt = (m: Measure | undefined) =>
  m === undefined
    ? "-"
    : m.ok && m.median !== undefined
      ? `${m.median.toFixed(m.median < 10 ? 1 : 0)} ms`
      : "fails";
const rows: string[][] = [];
const failures: string[] = [];
for (const name of dumps) {
  const path = join(lab, name);
  if (!existsSync(path)) continue;
  console.error(`bench: ${name}`);
  const out = "/tmp/crashlens-bench-mdf.txt";
  const results: Record<string, Measure | undefined> = {
    crashlens: time(
      [process.execPath, "bin/crashlens.js", "dmesg", path],
      runs,
      undefined,
      cleanEnv,
    ),
    withCa: caNote ? time([process.execPath, "bin/crashlens.js", "dmesg", path], runs) : undefined,
    analyze: hasAnalyze
      ? time([process.execPath, "bin/crashlens.js", "analyze", path], runs, undefined, cleanEnv)
      : undefined,
    makedumpfile: peers.makedumpfile
      ? time(
          [
            "sh",
            "-c",
            `rm -f ${out}; makedumpfile --dump-dmesg ${path} ${out} >/dev/null 2>&1 && cat ${out}`,
          ],
          runs,
        )
      : undefined,
    vmcoreDmesg: peers.vmcoreDmesg ? time(["vmcore-dmesg", path], runs) : undefined,
    crash:
      peers.crash && haveVmlinux
        ? time(["crash", "-s", vmlinux, path], slowRuns, "log\nquit\n")
        : undefined,
    drgn:
      peers.drgn && haveVmlinux
        ? time(["drgn", "-q", "-s", vmlinux, "-c", path, drgnScript], slowRuns)
        : undefined,
  };
  const inproc = await inProcess(path, runs);
  for (const [tool, m] of Object.entries(results))
    if (m && !m.ok) failures.push(`${name} / ${tool}: ${m.note}`);
  const cl = results.crashlens?.median;
  const ratio = (m: Measure | undefined) =>
    m?.ok && m.median && cl ? `${(m.median / cl).toFixed(2)}x` : "";
  rows.push([
    name,
    fmt(results.crashlens),
    fmt(results.withCa),
    `${inproc.toFixed(1)} ms`,
    results.crashlens?.rssKiB ? `${(results.crashlens.rssKiB / 1024).toFixed(0)} MB` : "",
    fmt(results.analyze),
    `${fmt(results.makedumpfile)} ${ratio(results.makedumpfile)}`,
    `${fmt(results.vmcoreDmesg)} ${ratio(results.vmcoreDmesg)}`,
    `${fmt(results.crash)} ${ratio(results.crash)}`,
    `${fmt(results.drgn)} ${ratio(results.drgn)}`,
  ]);
  // correctness alongside speed: crashlens's log must equal the reference
  const reference = `${path}.dmesg.txt`;
  if (existsSync(reference)) {
    const style = name.includes("qemu") ? ["--flush-left"] : [];
    const got = spawnSync(process.execPath, ["bin/crashlens.js", "dmesg", ...style, path], {
      encoding: "latin1",
      maxBuffer: 1 << 28,
    }).stdout;
    if (got !== readFileSync(reference, "latin1"))
      failures.push(`${name}: crashlens dmesg differs from ${reference}`);
  }
}

const header = [
  "dump",
  "crashlens dmesg",
  "(with CA env)",
  "in-process",
  "peak RSS",
  "analyze",
  "makedumpfile",
  "vmcore-dmesg",
  "crash log",
  "drgn",
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
console.log(
  `whole-process medians of ${runs} runs (crash/drgn: ${slowRuns}); "Nx" = peer time / crashlens time (> 1: crashlens is faster)`,
);
console.log(
  `Node.js start alone (node -e): ${fmt(nodeBaseline)}; "in-process" = open + read log + format in one warm process`,
);
if (caNote) {
  console.log(
    "Node runs are timed without NODE_EXTRA_CA_CERTS (set here; it makes every Node start parse a CA bundle); '(with CA env)' keeps it",
  );
}
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of rows) console.log(line(r));
console.log(
  "\nreference figures (lab README): makedumpfile 4.1 ms, vmcore-dmesg 1.6 ms, drgn 0.3 s, crash 5.8 s",
);
for (const n of notes) console.log(`note: ${n}`);
for (const f of failures) console.log(`fails: ${f}`);

console.log("");
benchScan(Math.min(runs, 3), cleanEnv);
console.log("");
benchStartup(Math.max(runs, 15), cleanEnv);
console.log("");
await benchShell(runs, cleanEnv);
console.log("");
await benchFleet(Number(option("--fleet-count", "10000")), Number(option("--concurrency", "256")));
