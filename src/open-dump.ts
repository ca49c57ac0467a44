/**
 * @module open-dump
 * The typed library API over a dump — what the shell's commands print, as data:
 *
 *   const dump = await openDump("/var/crash/…/vmcore");
 *   const trace = await dump.bt(100);            // pid, task address, or nothing: the panic task
 *   const sh = await dump.struct("task_struct", trace.task.address);
 *   await dump.close();
 *
 * Everything comes from the dump (kallsyms, BTF, ORC); no vmlinux is needed. The shell
 * (`src/shell/`) and `analyze` call the same kernel/ functions this wraps.
 */

import { CrashlensError } from "./errors.js";
import { type Backtrace, backtrace, cpuTask, panicTask } from "./kernel/backtrace.js";
import { type BtfValue, decodeValue, valueSize } from "./kernel/btf/value.js";
import { Kernel } from "./kernel/kernel.js";
import { readMemInfo } from "./kernel/mm/meminfo.js";
import { type SlabObjectInfo, slabInfo } from "./kernel/mm/slab.js";
import { type ModuleList, moduleList } from "./kernel/modules/index.js";
import { kernelSymbolizer } from "./kernel/modules/module-symbols.js";
import type { PrintkRecord } from "./kernel/printk/types.js";
import { findTasks, type Task, type TaskTable, taskTable } from "./kernel/tasks/index.js";

export type { Backtrace } from "./kernel/backtrace.js";
export type { BtfValue } from "./kernel/btf/value.js";
export type { Task } from "./kernel/tasks/index.js";

export interface DumpSession {
  readonly kernel: Kernel;
  /** the kernel log records, oldest first */
  log(): Promise<readonly PrintkRecord[]>;
  /** every task (threads and per-CPU idle tasks included), sorted by pid as `ps` lists them */
  tasks(): Promise<TaskTable>;
  /** one task by pid, task_struct address or command name; the panic task when omitted */
  task(which?: number | bigint | string): Promise<Task>;
  /** a task's kernel stack (see `task`), or with `{ cpu }` the task running on that CPU */
  bt(which?: number | bigint | string | { cpu: number }): Promise<Backtrace>;
  modules(): Promise<ModuleList>;
  /** a struct/union value read from memory, decoded with the dump's BTF */
  struct(type: string, address: bigint): Promise<BtfValue>;
  /** the slab cache, object and free/allocated state of an address (`kmem ADDR`) */
  kmem(address: bigint): Promise<SlabObjectInfo | undefined>;
  /** `name+offset [module]` for an address */
  symbol(address: bigint): Promise<string | undefined>;
  memInfo(): ReturnType<typeof readMemInfo>;
  close(): Promise<void>;
}

export async function openDump(paths: string | readonly string[]): Promise<DumpSession> {
  const kernel = await Kernel.open(paths);
  const records = async () => (await kernel.log()).records;
  const task = async (which?: number | bigint | string): Promise<Task> => {
    const table = await taskTable(kernel);
    if (which === undefined) {
      const panicking = await panicTask(kernel, table);
      if (panicking === undefined)
        throw new CrashlensError("not-found", "the dump names no panicking CPU");
      return panicking;
    }
    const word = typeof which === "bigint" ? which.toString(16) : String(which);
    const found = findTasks(table, word)[0];
    if (found === undefined) throw new CrashlensError("not-found", `no task ${word} in the dump`);
    return found;
  };
  return {
    kernel,
    log: records,
    tasks: () => taskTable(kernel),
    task,
    async bt(which) {
      if (typeof which === "object" && which !== null && "cpu" in which)
        return backtrace(kernel, await cpuTask(kernel, which.cpu));
      return backtrace(kernel, await task(which));
    },
    modules: () => moduleList(kernel),
    async struct(type, address) {
      const btf = await kernel.btf();
      const found = btf.find(type.includes(" ") ? type : `struct ${type}`) ?? btf.find(type);
      if (found === undefined) throw new CrashlensError("not-found", `BTF has no type ${type}`);
      const bytes = await kernel.memory.read(address, valueSize(btf, found.id));
      return decodeValue(btf, found.id, bytes, { address });
    },
    kmem: (address) => slabInfo(kernel, address),
    async symbol(address) {
      const hit = (await kernelSymbolizer(kernel)).symbolize(address);
      if (hit === undefined) return undefined;
      return `${hit.name}+0x${hit.offset.toString(16)}${hit.module ? ` [${hit.module}]` : ""}`;
    },
    memInfo: () => readMemInfo(kernel),
    close: () => kernel.close(),
  };
}
