/**
 * @module dump/detect
 * Dump detection by content, as an ordered list of detectors: shortest signature first,
 * sure matches only. Needs only the first bytes of the file (4 KiB + 32 to see inside a
 * flattened stream).
 */
import { FLAT_HEADER_AREA } from "./structs/flattened.js";
import type { DumpFormat } from "./types.js";

/** bytes detection looks at */
export const DETECT_HEAD_BYTES = 8192;

export interface Detected {
  format: DumpFormat;
  /** for flattened streams, the format of the rebuilt file when the head shows it */
  flavour?: string;
}

const ascii = (head: Uint8Array, at: number, text: string) =>
  head.length >= at + text.length && [...text].every((c, i) => head[at + i] === c.charCodeAt(0));

interface Detector {
  id: string;
  detect(head: Uint8Array): Detected | undefined;
}

/** what a rebuilt file (or a flattened stream's first record) starts with */
function innerFormat(head: Uint8Array, at: number): string | undefined {
  if (ascii(head, at, "\x7fELF")) return "elf";
  if (ascii(head, at, "KDUMP   ")) return "kdump-compressed";
  return undefined;
}

export const detectors: readonly Detector[] = [
  { id: "elf", detect: (head) => (ascii(head, 0, "\x7fELF") ? { format: "elf" } : undefined) },
  {
    id: "kdump-compressed",
    // the old diskdump format shares the layout's start; opening it says it is unsupported
    detect: (head) =>
      ascii(head, 0, "KDUMP   ")
        ? { format: "kdump-compressed" }
        : ascii(head, 0, "DISKDUMP")
          ? { format: "kdump-compressed", flavour: "diskdump" }
          : undefined,
  },
  {
    id: "flattened",
    detect: (head) => {
      if (!ascii(head, 0, "makedumpfile\0\0\0\0")) return undefined;
      // the first record (16-byte header) normally writes the rebuilt file's offset 0
      const inner = innerFormat(head, FLAT_HEADER_AREA + 16);
      return inner === undefined
        ? { format: "flattened" }
        : { format: "flattened", flavour: inner };
    },
  },
];

/** The dump format of a file from its first bytes, or undefined when it is not a dump. */
export function detectDump(head: Uint8Array): Detected | undefined {
  for (const detector of detectors) {
    const found = detector.detect(head);
    if (found !== undefined) return found;
  }
  return undefined;
}
