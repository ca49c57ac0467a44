/**
 * @module kernel/arch
 * The architectures crashlens reads dumps of, and how a dump says which it is: its ELF
 * e_machine, then VMCOREINFO entries only one architecture writes, then the header's utsname
 * machine, then the size of its NT_PRSTATUS notes. A new architecture is a new file and a
 * new row in `arches`, not a new branch.
 */
import { arm64 } from "./arm64.js";
import type { Arch, ArchEvidence } from "./types.js";
import { x86_64 } from "./x86-64.js";

export type {
  Arch,
  ArchEvidence,
  ArchMemory,
  PrstatusLayout,
  RegisterRoles,
  Translator,
} from "./types.js";
export { arm64, x86_64 };

/** every architecture, in the order detection tries them */
export const arches: readonly Arch[] = [x86_64, arm64];

export interface DetectedArch {
  readonly arch: Arch;
  /** what decided it, for `info` and warnings */
  readonly by: "e_machine" | "vmcoreinfo" | "header" | "prstatus" | "default";
}

const NT_PRSTATUS = 1;

/** Which architecture a dump is from; `by: "default"` when nothing in it says (x86-64 is assumed). */
export function detectArch(evidence: ArchEvidence): DetectedArch {
  const { elfMachine, vmcoreinfo, headerMachine, notes } = evidence;
  const byElf = arches.find((a) => a.elfMachine === elfMachine);
  if (byElf !== undefined) return { arch: byElf, by: "e_machine" };
  const byInfo = arches.filter((a) => a.vmcoreinfoSays(vmcoreinfo));
  if (byInfo.length === 1) return { arch: byInfo[0] as Arch, by: "vmcoreinfo" };
  const machine = headerMachine?.toLowerCase();
  const byHeader = arches.find(
    (a) => a.machine === machine || a.machineAliases.includes(machine ?? ""),
  );
  if (byHeader !== undefined) return { arch: byHeader, by: "header" };
  const sizes = new Set(
    notes.filter((n) => n.name === "CORE" && n.type === NT_PRSTATUS).map((n) => n.desc.length),
  );
  const byNote = arches.filter((a) => sizes.has(a.prstatus.size));
  if (byNote.length === 1) return { arch: byNote[0] as Arch, by: "prstatus" };
  return { arch: x86_64, by: "default" };
}

/** the architecture with this name (`x86_64`, `arm64`) or utsname machine (`aarch64`) */
export function findArch(name: string): Arch | undefined {
  const n = name.toLowerCase();
  return arches.find((a) => a.name === n || a.machine === n || a.machineAliases.includes(n));
}
