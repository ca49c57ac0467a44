/**
 * @module kernel/locate/image
 * Where the kernel image's sections are, from the text symbols kallsyms keeps even without
 * CONFIG_KALLSYMS_ALL (`_stext`, `_etext`, `_sinittext`, `__init_begin`): read-only data
 * lies between the end of text and the start of init, writable data after init. Also a
 * page-tolerant reader for scans over them: one page missing from the dump hides that page,
 * not the rest.
 */
import type { Kallsyms } from "../kallsyms.js";
import type { Kernel } from "../kernel.js";

/**
 * What every locator reads: the kernel's memory and facet cache, and kallsyms as decoded
 * (text symbols only, when that is all there is). Locators never call `kernel.symbols()` or
 * `kernel.btf()`, so those facets may call them without a cycle.
 */
export interface LocateSource {
  readonly kernel: Kernel;
  readonly kallsyms: Kallsyms;
}

/** the image's parts a scan may search; `end` is one past the last byte */
export interface ImageRegion {
  readonly start: bigint;
  readonly end: bigint;
}

export interface ImageLayout {
  readonly text: ImageRegion;
  /** `_etext` .. `__init_begin`: .rodata, .BTF, kallsyms tables, exception tables */
  readonly rodata?: ImageRegion;
  /** from the end of init text: .data (init_task, module list) and .data..percpu */
  readonly data?: ImageRegion;
}

/** .init.text to .data on arm64 v6.1 is ~4.6 MiB; .data + .bss a few MiB more */
const DATA_SPAN = 24n << 20n;

/** The image layout from text symbols, or undefined when even `_stext`/`_etext` are missing. */
export async function imageLayout(source: LocateSource): Promise<ImageLayout | undefined> {
  return source.kernel.facet("locate.imageLayout", async () => {
    const at = (name: string) => source.kallsyms.lookup(name)?.address;
    const stext = at("_stext") ?? at("_text");
    const etext = at("_etext");
    if (stext === undefined || etext === undefined || etext <= stext) return undefined;
    const initBegin = at("__init_begin") ?? at("_sinittext");
    const initTextEnd = at("_einittext");
    const layout: { -readonly [K in keyof ImageLayout]: ImageLayout[K] } = {
      text: { start: stext, end: etext },
    };
    if (initBegin !== undefined && initBegin > etext)
      layout.rodata = { start: etext, end: initBegin };
    const dataFrom = initTextEnd ?? initBegin;
    if (dataFrom !== undefined && dataFrom > etext)
      layout.data = { start: dataFrom, end: dataFrom + DATA_SPAN };
    return layout;
  });
}

/**
 * Reads [start, end) a chunk at a time, calling `visit(bytes, address)` for each readable
 * run; pages the dump lacks are skipped. `visit` returning true stops the walk.
 */
export async function scanRegion(
  kernel: Kernel,
  region: ImageRegion,
  visit: (bytes: Uint8Array, address: bigint) => boolean | Promise<boolean>,
  chunk = 1 << 20,
): Promise<void> {
  const page = 4096n;
  for (let at = region.start; at < region.end; ) {
    const take = region.end - at < BigInt(chunk) ? Number(region.end - at) : chunk;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await kernel.memory.read(at, take);
    } catch {
      // one missing page must not hide the chunk (freed init memory is unmapped): retry
      // page by page
      const end = at + BigInt(take);
      for (let p = at; p < end; ) {
        const next = (p | (page - 1n)) + 1n;
        const stop = next < end ? next : end;
        const piece = await kernel.memory.read(p, Number(stop - p)).catch(() => undefined);
        if (piece !== undefined && (await visit(piece, p))) return;
        p = stop;
      }
      at += BigInt(take);
      continue;
    }
    if (await visit(bytes, at)) return;
    at += BigInt(take);
  }
}
