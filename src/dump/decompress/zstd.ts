/**
 * @module dump/decompress/zstd
 * zstd frames through @bokuweb/zstd-wasm (real libzstd in WebAssembly; initialised once).
 */
import { createRequire } from "node:module";
import type { Decompress } from "./index.js";

interface ZstdModule {
  init(): Promise<void>;
  decompress(input: Uint8Array, options?: { defaultHeapSize?: number }): Uint8Array;
  compress(input: Uint8Array, level?: number): Uint8Array;
}

let ready: Promise<ZstdModule> | undefined;

export function zstdModule(): Promise<ZstdModule> {
  ready ??= (async () => {
    const zstd = createRequire(import.meta.url)("@bokuweb/zstd-wasm") as ZstdModule;
    await zstd.init();
    return zstd;
  })();
  return ready;
}

/** bytes 0..3 of a zstd frame */
const ZSTD_MAGIC = 0xfd2fb528;

export async function loadZstd(): Promise<Decompress> {
  const zstd = await zstdModule();
  return (input, pageSize) => {
    if (
      input.length < 4 ||
      new DataView(input.buffer, input.byteOffset).getUint32(0, true) !== ZSTD_MAGIC
    ) {
      throw new Error("no zstd frame magic");
    }
    return zstd.decompress(input, { defaultHeapSize: pageSize });
  };
}
