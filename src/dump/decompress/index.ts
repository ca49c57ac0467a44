/**
 * @module dump/decompress
 * Page decompressors keyed by makedumpfile's page-descriptor flag bits. Each is loaded on
 * first use (zstd is WebAssembly), so a zlib dump never pays for the others. Every result
 * must be exactly one page; anything else is a corrupt page.
 */
import { CrashlensError } from "../../errors.js";
import {
  DUMP_DH_COMPRESSED_LZO,
  DUMP_DH_COMPRESSED_SNAPPY,
  DUMP_DH_COMPRESSED_ZLIB,
  DUMP_DH_COMPRESSED_ZSTD,
} from "../structs/kdump.js";

/** decompresses one page; may throw on corrupt input */
export type Decompress = (input: Uint8Array, pageSize: number) => Uint8Array;

interface Codec {
  readonly flag: number;
  readonly name: string;
  load(): Promise<Decompress>;
}

export const codecs: readonly Codec[] = [
  {
    flag: DUMP_DH_COMPRESSED_ZLIB,
    name: "zlib",
    load: async () => (await import("./zlib.js")).inflatePage,
  },
  {
    flag: DUMP_DH_COMPRESSED_LZO,
    name: "lzo",
    load: async () => (await import("./lzo.js")).lzoPage,
  },
  {
    flag: DUMP_DH_COMPRESSED_SNAPPY,
    name: "snappy",
    load: async () => (await import("./snappy.js")).snappyPage,
  },
  {
    flag: DUMP_DH_COMPRESSED_ZSTD,
    name: "zstd",
    load: async () => (await import("./zstd.js")).loadZstd(),
  },
];

const loaded = new Map<number, Promise<Decompress>>();

/** the codec for a descriptor's flags, or undefined for a raw page */
export function codecFor(flags: number): Codec | undefined {
  return codecs.find((c) => (flags & c.flag) !== 0);
}

/** names of the compressions set in a flags word ("zlib", "lzo, zstd", …) */
export function compressionNames(flags: number): string[] {
  return codecs.filter((c) => (flags & c.flag) !== 0).map((c) => c.name);
}

export async function decompressPage(
  codec: Codec,
  input: Uint8Array,
  pageSize: number,
  where: string,
): Promise<Uint8Array> {
  let decoder = loaded.get(codec.flag);
  if (decoder === undefined) {
    decoder = codec.load();
    loaded.set(codec.flag, decoder);
  }
  let fn: Decompress;
  try {
    fn = await decoder;
  } catch (error) {
    loaded.delete(codec.flag);
    throw new CrashlensError(
      "unsupported",
      `${where}: the ${codec.name} decompressor could not be loaded`,
      { cause: error },
    );
  }
  let out: Uint8Array;
  try {
    out = fn(input, pageSize);
  } catch (error) {
    throw new CrashlensError(
      "bad-data",
      `${where}: corrupt ${codec.name} page (${(error as Error).message})`,
      { cause: error },
    );
  }
  if (out.length !== pageSize) {
    throw new CrashlensError(
      "bad-data",
      `${where}: ${codec.name} page decompressed to ${out.length} bytes, not ${pageSize}`,
    );
  }
  return out;
}
