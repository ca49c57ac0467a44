/**
 * @module oops/fields/task-line
 * The line naming the CPU, task and kernel: "CPU: 0 PID: 2790 Comm: nginx Not tainted
 * 3.10.0-327.36.1.el7.x86_64 #1", its 2.6-era form "Pid: 27392, comm: x Not tainted 2.6.32 #1
 * <hardware>", and the bare "Tainted: …" line of hung-task reports.
 */
import type { KernelInfo, TaskInfo } from "../report.js";
import { decodeTaints } from "./taints.js";

const RELEASE = "(\\d+\\.\\d+[^\\s]*)";
const TAINT = "(Not tainted|Tainted: (.*?))";

const CURRENT = new RegExp(
  // "Kdump: loaded" is printed between the name and the taint when a crash kernel is armed
  `^\\s*CPU: (\\d+) (?:UID: \\d+ )?PID: (\\d+) Comm: (.*?) (?:Kdump: loaded )?${TAINT}\\s+${RELEASE}(?:\\s+(#.*))?$`,
);
const OLD = new RegExp(
  `^\\s*Pid: (\\d+), comm: (.*?) ${TAINT}\\s+${RELEASE}(?:\\s+(#\\S+)(?:\\s+(.*))?)?$`,
);
const BARE = new RegExp(`^\\s*${TAINT}\\s+${RELEASE}\\s+(#.*)?$`);
/** lockdep's header: "3.6.0-rc1-wl+ #296 Tainted: G        W" */
const LOCKDEP = new RegExp(`^\\s*${RELEASE} (#\\S+) ${TAINT}\\s*$`);

export interface TaskLine {
  task: TaskInfo;
  kernel: KernelInfo;
}

function kernelInfo(
  taintWord: string,
  taints: string | undefined,
  release: string,
  build?: string,
) {
  const kernel: KernelInfo = { release, taints: [] };
  if (taintWord !== "Not tainted" && taints !== undefined) {
    // RHEL 8 prints its kABI/support marker after the flags: "G    OE    --------- -  -"
    taints = taints.replace(/\s+-{3,}[\s-]*$/, "");
    kernel.tainted = taints.trim().replace(/\s+/g, " ");
    kernel.taints = decodeTaints(taints, release);
  }
  if (build) kernel.build = build.trim();
  return kernel;
}

export function parseTaskLine(text: string): TaskLine | undefined {
  let m = CURRENT.exec(text);
  if (m) {
    return {
      task: { cpu: Number(m[1]), pid: Number(m[2]), comm: m[3] as string },
      kernel: kernelInfo(m[4] as string, m[5], m[6] as string, m[7]),
    };
  }
  m = OLD.exec(text);
  if (m) {
    const kernel = kernelInfo(m[3] as string, m[4], m[5] as string, m[6]);
    // 2.6 kernels printed the DMI product name after the build number
    if (m[7]) kernel.hardware = m[7].trim();
    return { task: { pid: Number(m[1]), comm: m[2] as string }, kernel };
  }
  m = BARE.exec(text);
  if (m) return { task: {}, kernel: kernelInfo(m[1] as string, m[2], m[3] as string, m[4]) };
  m = LOCKDEP.exec(text);
  if (m) return { task: {}, kernel: kernelInfo(m[3] as string, m[4], m[1] as string, m[2]) };
  return undefined;
}
