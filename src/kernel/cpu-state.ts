/**
 * @module kernel/cpu-state
 * Per-CPU registers saved in the dump: `CORE`/NT_PRSTATUS notes (kdump: the running task's
 * PID; QEMU: `pr_pid` = cpu + 1) and QEMU's `QEMU` CPU-state notes (adds flags, control
 * registers and descriptor-table bases; x86-64 only). Notes are in CPU order; the panicking
 * CPU is not necessarily the first (see `panicCpu`). The register layout is the dump's
 * architecture's (`Arch.prstatus`): x86-64 `user_regs_struct`, arm64 `user_pt_regs`.
 */
import {
  NT_PRSTATUS,
  QEMU_GPR_OFFSET,
  QEMU_SEGMENT_SIZE,
  qemuCpuRegisters,
  qemuSegments,
} from "../dump/structs/prstatus.js";
import type { ElfNote } from "../dump/types.js";
import type { PrstatusLayout } from "./arch/types.js";
import { x86_64 } from "./arch/x86-64.js";

export interface CpuState {
  /** position among the saved CPUs (kdump saves online CPUs in order) */
  readonly cpu: number;
  /** PRSTATUS pr_pid: the running task under kdump, cpu + 1 under QEMU */
  readonly pid?: number;
  readonly registers: Record<string, bigint>;
  readonly source: "prstatus" | "qemu" | "prstatus+qemu";
}

function prstatus(
  desc: Uint8Array,
  layout: PrstatusLayout,
): { pid: number; registers: Record<string, bigint> } | undefined {
  if (desc.length < layout.regOffset + layout.registers.length * 8) return undefined;
  const view = new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
  const registers: Record<string, bigint> = {};
  layout.registers.forEach((name, i) => {
    registers[name] = view.getBigUint64(layout.regOffset + i * 8, true);
  });
  return { pid: view.getInt32(layout.pidOffset, true), registers };
}

function qemuState(desc: Uint8Array): Record<string, bigint> | undefined {
  const segmentsAt = QEMU_GPR_OFFSET + qemuCpuRegisters.length * 8;
  const crAt = segmentsAt + qemuSegments.length * QEMU_SEGMENT_SIZE;
  if (desc.length < crAt + 5 * 8) return undefined;
  const view = new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
  if (view.getUint32(0, true) !== 1) return undefined; // only version 1 is known
  const registers: Record<string, bigint> = {};
  qemuCpuRegisters.forEach((name, i) => {
    registers[name] = view.getBigUint64(QEMU_GPR_OFFSET + i * 8, true);
  });
  qemuSegments.forEach((name, i) => {
    registers[`${name}_base`] = view.getBigUint64(segmentsAt + i * QEMU_SEGMENT_SIZE + 16, true);
  });
  for (let i = 0; i < 5; i++) registers[`cr${i}`] = view.getBigUint64(crAt + i * 8, true);
  return registers;
}

export function cpuStates(
  notes: readonly ElfNote[],
  layout: PrstatusLayout = x86_64.prstatus,
): CpuState[] {
  const pr = notes.filter(
    (n) => n.name === "CORE" && n.type === NT_PRSTATUS && n.desc.length >= layout.size - 8,
  );
  // QEMUCPUState is x86's (target/i386/arch_dump.c); QEMU writes no such note for arm
  const qemu = layout.qemuCpuState ? notes.filter((n) => n.name === "QEMU" && n.type === 0) : [];
  const count = Math.max(pr.length, qemu.length);
  const cpus: CpuState[] = [];
  for (let cpu = 0; cpu < count; cpu++) {
    const prNote = pr[cpu];
    const qemuNote = qemu[cpu];
    const p = prNote ? prstatus(prNote.desc, layout) : undefined;
    const q = qemuNote ? qemuState(qemuNote.desc) : undefined;
    if (p === undefined && q === undefined) continue;
    const registers = { ...(q ?? {}), ...(p?.registers ?? {}) };
    const source = p && q ? "prstatus+qemu" : p ? "prstatus" : "qemu";
    cpus.push(p ? { cpu, pid: p.pid, registers, source } : { cpu, registers, source });
  }
  return cpus;
}
