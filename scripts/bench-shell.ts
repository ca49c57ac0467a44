/**
 * The "shell" section of `npm run bench` (alone: `npm run bench -- --only shell`): on the lab
 * dumps, the time to a first `bt` — whole process, `crashlens shell DUMP -c bt` — and its peak
 * RSS, beside crash (`bt`, with the DWARF vmlinux) and drgn (the crashed thread's stack);
 * and in one warm process the time to load kallsyms + BTF and to unwind the panic task.
 * crash and drgn need the 590 MB `-dbg` vmlinux; where it cannot be installed their figures
 * are the ones the lab recorded (../shared/lab/README.md), printed as such.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { backtrace, cpuTask } from "../src/kernel/backtrace.js";
import { Kernel } from "../src/kernel/kernel.js";

const release = "6.1.0-56-cloud-amd64";
const vmlinux = `/usr/lib/debug/boot/vmlinux-${release}`;
/** under ../shared/lab: the x86-64 dumps, then the arm64 ones (QEMU kdump-zlib) */
const DUMPS = [
  "dumps/hung.kdump-zlib",
  "dumps/nullread.kdump-zlib",
  "dumps/bugon.kdump-zlib",
  "dumps/softlockup.kdump-zlib",
  "arm64/dumps/hung.kdump-zlib",
  "arm64/dumps/nullread.kdump-zlib",
];
/** ../shared/lab/README.md: "crash … ~5.8 s to print `sys; bt` (~400 MB RSS) … drgn ~0.3 s (~230 MB RSS)" */
const RECORDED = { crash: { ms: 5800, mb: 400 }, drgn: { ms: 300, mb: 230 } };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function wall(argv: string[], runs: number, env: NodeJS.ProcessEnv, input?: string) {
  const samples: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0] as string, argv.slice(1), {
      env,
      input,
      encoding: "latin1",
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0)
      return { error: `exit ${r.status}: ${(r.stderr || "").trim().split("\n").at(-1)}` };
    if (i > 0) samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  let mb: number | undefined;
  if (existsSync("/usr/bin/time")) {
    const r = spawnSync("/usr/bin/time", ["-f", "%M", ...argv], {
      env,
      input,
      encoding: "latin1",
      maxBuffer: 1 << 26,
    });
    mb = Number(r.stderr.trim().split("\n").pop()) / 1024;
  }
  return { ms: median(samples), mb };
}

async function inProcess(path: string, runs: number) {
  const load: number[] = [];
  const firstBt: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = performance.now();
    const kernel = await Kernel.open(path);
    await Promise.all([kernel.symbols(), kernel.btf()]);
    const loaded = performance.now();
    await kernel.symbols();
    const cpu = kernel.view.panicCpuVariable ?? 0;
    await backtrace(kernel, await cpuTask(kernel, cpu));
    const done = performance.now();
    await kernel.close();
    if (i > 0) {
      load.push(loaded - start);
      firstBt.push(done - start);
    }
  }
  return { load: median(load), firstBt: median(firstBt) };
}

export async function benchShell(runs: number, env: NodeJS.ProcessEnv): Promise<void> {
  const lab = resolve("../shared/lab");
  const haveVmlinux = existsSync(vmlinux);
  const rows: string[][] = [];
  for (const name of DUMPS) {
    const path = join(lab, name);
    if (!existsSync(path)) continue;
    const ours = wall([process.execPath, "bin/crashlens.js", "shell", path, "-c", "bt"], runs, env);
    const dmesg = wall([process.execPath, "bin/crashlens.js", "dmesg", path], runs, env);
    const inproc = await inProcess(path, runs);
    const x86 = name.startsWith("dumps/");
    const crash =
      haveVmlinux && x86
        ? wall(["crash", "-s", vmlinux, path], Math.min(runs, 3), env, "bt\nquit\n")
        : undefined;
    const ms = "ms" in ours ? (ours.ms as number) : undefined;
    const cell = (
      m: { ms?: number; mb?: number | undefined; error?: string } | undefined,
      recorded: { ms: number; mb: number },
    ) => {
      if (m === undefined) return `${recorded.ms} ms* (${(recorded.ms / (ms ?? 1)).toFixed(1)}x)`;
      if (m.ms === undefined) return m.error ?? "failed";
      return `${m.ms.toFixed(0)} ms, ${m.mb?.toFixed(0) ?? "?"} MB (${(m.ms / (ms ?? 1)).toFixed(1)}x)`;
    };
    rows.push([
      name,
      "ms" in dmesg ? `${(dmesg.ms as number).toFixed(0)} ms` : (dmesg.error as string),
      "ms" in ours ? `${(ours.ms as number).toFixed(0)} ms` : (ours.error as string),
      "mb" in ours && ours.mb !== undefined ? `${ours.mb.toFixed(0)} MB` : "",
      `${inproc.load.toFixed(0)} ms`,
      `${inproc.firstBt.toFixed(0)} ms`,
      x86 ? cell(crash, RECORDED.crash) : "fails†",
      x86 ? `${RECORDED.drgn.ms} ms*` : "fails†",
    ]);
  }
  const header = [
    "dump",
    "dmesg",
    "shell -c bt",
    "peak RSS",
    "kallsyms+BTF",
    "to first bt",
    "crash bt",
    "drgn",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
  console.log(
    `shell: dmesg and the time to a first bt, whole process (median of ${runs}); in one warm process, kallsyms+BTF load and open → first bt`,
  );
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(r));
  console.log(
    "† arm64 (../shared/lab/arm64/README.md): Debian's crash refuses the machine type, and crash built for ARM64 cannot backtrace the running tasks; drgn 0.0.22 cannot read QEMU's kdump-zlib",
  );
  console.log(
    haveVmlinux
      ? "drgn*: recorded in ../shared/lab/README.md (0.3 s, ~230 MB with the vmlinux); Nx = peer time / crashlens time"
      : `* recorded in ../shared/lab/README.md (crash ~5.8 s and ~400 MB, drgn ~0.3 s and ~230 MB, both with the 590 MB DWARF vmlinux): ${vmlinux} is not installable here, so neither can run; Nx = peer time / crashlens time`,
  );
}
