/**
 * @module test/writers/lab
 * Where the lab dumps live (`../shared/lab/dumps` from the repository root). CI always has
 * them; elsewhere tests fail with a clear message unless CRASHLENS_NO_LAB=1.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const LAB_DUMPS = resolve(process.cwd(), "../shared/lab/dumps");

/** The lab directory, or undefined (after saying so) when CRASHLENS_NO_LAB=1 and it is absent. */
export function labDumps(): string | undefined {
  if (existsSync(LAB_DUMPS)) return LAB_DUMPS;
  if (process.env.CRASHLENS_NO_LAB === "1") {
    console.log(
      `# lab dumps absent at ${LAB_DUMPS}; CRASHLENS_NO_LAB=1, so the lab tests are skipped`,
    );
    return undefined;
  }
  throw new Error(
    `lab dumps not found at ${LAB_DUMPS}; set CRASHLENS_NO_LAB=1 to run without them`,
  );
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
