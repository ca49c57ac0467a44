/**
 * @module dump/decompress/lzo
 * LZO1X pages (makedumpfile's `lzo1x_1_compress` output) through our own safe decoder.
 */
import { lzo1xDecompress } from "../lzo1x/decode.js";

export function lzoPage(input: Uint8Array, pageSize: number): Uint8Array {
  // a page that decodes longer than pageSize is an error, as LZO_E_OUTPUT_OVERRUN is in liblzo
  return lzo1xDecompress(input, pageSize);
}
