/**
 * @module kernel/kernel
 * The `Kernel` facade over one opened dump: each facet (symbols, types, modules, tasks,
 * unwinder, slab) is computed on first use and kept, so `dmesg` reads only the log pages and
 * `bt` only what a backtrace needs. The shell, `analyze` and library users all start here.
 */
import type { Dump } from "../dump/types.js";
import { CrashlensError } from "../errors.js";
import { Btf } from "./btf/index.js";
import { type KernelOptions, type KernelView, openKernel } from "./index.js";
import type { Kallsyms } from "./kallsyms.js";
import { findBtf, locateSymbols, withLocatedSymbols } from "./locate/index.js";
import { KernelMemory } from "./memory.js";
import type { LogResult } from "./printk/types.js";

export class Kernel {
  readonly memory: KernelMemory;
  private readonly facets = new Map<string, Promise<unknown>>();

  private constructor(
    readonly dump: Dump,
    readonly view: KernelView,
  ) {
    this.memory = new KernelMemory(view.readVirtual);
  }

  /** Opens a dump (several paths = a split dump) and locates the kernel in it. */
  static async open(
    paths: string | readonly string[],
    options: KernelOptions = {},
  ): Promise<Kernel> {
    const { openDumps } = await import("../dump/index.js");
    const progress = options.onProgress === undefined ? {} : { onProgress: options.onProgress };
    const dump = await openDumps(typeof paths === "string" ? [paths] : paths, progress);
    try {
      return new Kernel(dump, await openKernel(dump, options));
    } catch (error) {
      await dump.close();
      throw error;
    }
  }

  static fromView(view: KernelView): Kernel {
    return new Kernel(view.dump, view);
  }

  /** Computes a facet once; a failure is remembered too, so it is reported, not retried. */
  facet<T>(name: string, compute: () => Promise<T>): Promise<T> {
    let value = this.facets.get(name) as Promise<T> | undefined;
    if (value === undefined) {
      value = compute();
      this.facets.set(name, value);
    }
    return value;
  }

  /** kallsyms decoded from memory (VMCOREINFO names the tables since Linux 6.0), as they are */
  kallsyms(): Promise<Kallsyms> {
    return this.facet("kallsyms", async () => {
      const symbols = await this.view.loadSymbols();
      if (symbols === undefined)
        throw new CrashlensError(
          "not-found",
          "the dump's VMCOREINFO does not locate kallsyms (SYMBOL(kallsyms_names) and friends, Linux 6.0+), and no vmlinux was given",
        );
      return symbols;
    });
  }

  /** kallsyms, plus the data symbols kernel/locate finds when kallsyms has text only */
  symbols(): Promise<Kallsyms> {
    return this.facet("symbols", async () => {
      const kallsyms = await this.kallsyms();
      const located = await locateSymbols({ kernel: this, kallsyms }, () => this.btf());
      return withLocatedSymbols(kallsyms, located);
    });
  }

  /** the kernel log, read once however many facets and commands ask for it */
  log(): Promise<LogResult> {
    return this.facet("log", () => this.view.readLog());
  }

  /** the address of a kernel symbol, or a `not-found` error naming it */
  async address(name: string): Promise<bigint> {
    const symbol = (await this.symbols()).lookup(name);
    if (symbol === undefined)
      throw new CrashlensError("not-found", `symbol ${name} is not in kallsyms`);
    return symbol.address;
  }

  /**
   * vmlinux BTF, read from `__start_BTF`..`__stop_BTF` in the dump (CONFIG_DEBUG_INFO_BTF,
   * on by default in Debian, Fedora, RHEL 8.2+, Ubuntu 20.10+ kernels).
   */
  btf(): Promise<Btf> {
    return this.facet("btf", async () => {
      const symbols = await this.kallsyms();
      const start = symbols.lookup("__start_BTF")?.address;
      const stop = symbols.lookup("__stop_BTF")?.address;
      if (start === undefined || stop === undefined || stop <= start) {
        const found = await findBtf({ kernel: this, kallsyms: symbols });
        if (found !== undefined) return found.btf;
        throw new CrashlensError(
          "not-found",
          "the kernel has no BTF (__start_BTF/__stop_BTF are not in kallsyms: built without CONFIG_DEBUG_INFO_BTF, or kallsyms without data symbols); types are unknown",
        );
      }
      const length = Number(stop - start);
      if (length > 64 << 20)
        throw new CrashlensError("limit", `BTF is ${length} bytes, more than 64 MiB`, {
          field: "BTF size",
          value: length,
          max: 64 << 20,
        });
      let bytes: Uint8Array;
      try {
        bytes = await this.memory.read(start, length);
      } catch (error) {
        throw new CrashlensError(
          "not-found",
          `the kernel's BTF (${length} bytes at ${start.toString(16)}) is not readable from the dump (${(error as Error).message}); without it struct layouts are unknown, so tasks, stacks and typed values cannot be read`,
          { cause: error },
        );
      }
      return Btf.parse(bytes);
    });
  }

  /** the byte offset of a member path (`thread.sp`), or a `not-found` error naming it */
  async offsetof(struct: string, path: string): Promise<number> {
    const offset = (await this.btf()).offsetof(struct, path);
    if (offset === undefined)
      throw new CrashlensError("not-found", `BTF has no member ${path} in struct ${struct}`);
    return offset;
  }

  close(): Promise<void> {
    return this.dump.close();
  }
}
