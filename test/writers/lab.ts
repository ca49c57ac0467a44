/**
 * @module test/writers/lab
 * The lab dumps (`../shared/lab/dumps`) and what each one should give. CI always has them;
 * a missing directory fails the test with its expected location (see test/shared.ts).
 */
import { shared } from "../shared.js";

/** The lab dump directory; throws with the expected location when it is absent. */
export function labDumps(): string {
  return shared("lab", "dumps");
}

export const labCases = [
  {
    file: "nullread.kdump-zlib",
    reference: "nullread.kdump-zlib.dmesg.txt",
    style: "makedumpfile",
  },
  { file: "nullread.kdump-lzo", reference: "nullread.kdump-lzo.dmesg.txt", style: "makedumpfile" },
  { file: "nullread.elf", reference: "nullread.elf.dmesg.txt", style: "makedumpfile" },
  { file: "hung.kdump-zlib", reference: "hung.kdump-zlib.dmesg.txt", style: "makedumpfile" },
  {
    file: "softlockup.kdump-zlib",
    reference: "softlockup.kdump-zlib.dmesg.txt",
    style: "makedumpfile",
  },
  { file: "bugon.kdump-zlib", reference: "bugon.kdump-zlib.dmesg.txt", style: "makedumpfile" },
  // the QEMU reference is vmcore-dmesg output (no peer's makedumpfile reads this file)
  {
    file: "oom.qemu-kdump-flat",
    reference: "oom.qemu-kdump-flat.dmesg.txt",
    style: "vmcore-dmesg",
  },
] as const;
