/**
 * @module dump/lzo1x/format
 * The LZO1X bitstream's instruction kinds and limits, shared by the decoder and the encoder.
 *
 * A stream is a sequence of instructions, each a match (copy from the bytes already output)
 * whose low two "state" bits say how many literals (0-3) follow it, or a literal run of 4 or
 * more bytes. What an opcode below 16 means depends on that state (see `decode.ts`). Long
 * lengths use a zero-byte extension: each 0x00 adds 255, the first non-zero byte ends it.
 *
 * | opcode              | kind | length             | distance                     |
 * |---------------------|------|--------------------|------------------------------|
 * | 0000LLLL, state 0   | run  | 3 + L (L=0: 18+ext)| –                            |
 * | 0000DDSS, state 1-3 | M1   | 2                  | 1 + D + (next << 2)          |
 * | 0000DDSS, state 4   | M1   | 3                  | 2049 + D + (next << 2)       |
 * | 0001HLLL            | M4   | 2 + L (L=0: 9+ext) | 16384 + (H << 14) + le16>>2  |
 * | 001LLLLL            | M3   | 2 + L (L=0: 33+ext)| 1 + le16>>2                  |
 * | 01LDDDSS            | M2   | 3 + L              | 1 + D + (next << 3)          |
 * | 1LLDDDSS            | M2   | 5 + L              | 1 + D + (next << 3)          |
 *
 * An M4 with distance exactly 16384 (`0x11 0x00 0x00`) ends the stream. A first byte above
 * 17 is a literal run of `byte - 17` bytes with no instruction before it.
 */

/** lowest opcode of each kind with a length field (M2 is every opcode from 0x40) */
export const M3_OPCODE = 0x20;
export const M4_OPCODE = 0x10;

/** largest distance each match kind can reach */
export const M2_MAX_DISTANCE = 0x0800;
export const M3_MAX_DISTANCE = 0x4000;
export const M4_MAX_DISTANCE = 0xbfff;

/** M2 covers lengths 3..8 */
export const M2_MAX_LENGTH = 8;
/** the longest M3 / M4 length that fits in the opcode's own length bits */
export const M3_MAX_INLINE_LENGTH = 33;
export const M4_MAX_INLINE_LENGTH = 9;
/** the longest literal run a 0000LLLL opcode holds without extension */
export const RUN_MAX_INLINE_LENGTH = 18;

/** a first byte above this is a literal run of `byte - FIRST_RUN_BIAS` bytes */
export const FIRST_RUN_BIAS = 17;
/** the longest literal run the first byte can hold (255 - 17) */
export const FIRST_RUN_MAX_LENGTH = 238;

/** the end-of-stream instruction: M4 with distance 16384, length 3 */
export const END_MARKER = Uint8Array.of(0x11, 0x00, 0x00);

/** each 0x00 of a length extension adds this much */
export const EXTENSION_STEP = 255;
