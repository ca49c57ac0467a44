/**
 * @module dump/decompress/lzo
 * LZO1X pages through the `lzo` native binding (`lzo1x_decompress_safe`).
 */
import { createRequire } from "node:module";
import type { Decompress } from "./index.js";

interface LzoBinding {
  decompress(input: Buffer, length: number): Buffer;
  compress(input: Buffer): Buffer;
}

export function lzoBinding(): LzoBinding {
  return createRequire(import.meta.url)("lzo") as LzoBinding;
}

export async function loadLzo(): Promise<Decompress> {
  const lzo = lzoBinding();
  return (input, pageSize) => {
    const buffer = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    // a page that decodes longer than pageSize fails with LZO_E_OUTPUT_OVERRUN
    return lzo.decompress(buffer, pageSize);
  };
}
