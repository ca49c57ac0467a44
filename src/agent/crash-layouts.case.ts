/**
 * @module agent/crash-layouts.case
 * Crash directories as the saving tools leave them, built from committed real artifacts:
 * Debian's kdump-tools (`YYYYMMDDHHMM/dump.STAMP` + `dmesg.STAMP`) from the arm64 null-read
 * dump and its makedumpfile --dump-dmesg text, Fedora/RHEL's kexec-tools
 * (`127.0.0.1-DATE/vmcore` + `vmcore-dmesg.txt` + `kexec-dmesg.log`) from the x86_64 one
 * and its vmcore-dmesg text. Files get an old modification time (a crash saved before the
 * reboot), and so does the directory, unless a test says otherwise.
 */
import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testdata } from "../../test/shared.js";

export const DEBIAN_STAMP = "202611301204";
export const RHEL_NAME = "127.0.0.1-2026-11-30-12:07:41";

export const artifacts = {
  arm64Dump: testdata("dumps", "arm64-nullread-dmesg.kdump-zlib"),
  arm64Dmesg: testdata("dumps", "arm64-nullread.dmesg.txt"),
  x86Dump: testdata("dumps", "nullread-dmesg.kdump-zlib"),
  x86VmcoreDmesg: testdata("dumps", "nullread.vmcore-dmesg.txt"),
  oomDump: testdata("dumps", "oom-dmesg.kdump-zlib"),
  oomVmcoreDmesg: testdata("dumps", "oom.vmcore-dmesg.txt"),
};

/** an hour and a half ago: settled, and past an abandoned marker's hour */
export const LONG_AGO = () => new Date(Date.now() - 90 * 60_000);

export function age(path: string, when: Date = LONG_AGO()): void {
  utimesSync(path, when, when);
}

function place(from: string, to: string, when?: Date): string {
  copyFileSync(from, to);
  age(to, when);
  return to;
}

/** kdump-tools' directory; `saving`: the dump still has its temporary name */
export function debianCrash(root: string, options: { saving?: boolean } = {}): string {
  const dir = join(root, DEBIAN_STAMP);
  mkdirSync(dir, { recursive: true });
  const dumpName = options.saving ? "dump-incomplete" : `dump.${DEBIAN_STAMP}`;
  place(artifacts.arm64Dump, join(dir, dumpName), options.saving ? new Date() : undefined);
  if (!options.saving) place(artifacts.arm64Dmesg, join(dir, `dmesg.${DEBIAN_STAMP}`));
  age(dir, options.saving ? new Date() : undefined);
  return dir;
}

/** kexec-tools' directory; `withDump: false`: the dump was not saved (only the dmesg) */
export function rhelCrash(
  root: string,
  options: { name?: string; withDump?: boolean; dump?: string; dmesg?: string } = {},
): string {
  const dir = join(root, options.name ?? RHEL_NAME);
  mkdirSync(dir, { recursive: true });
  place(options.dmesg ?? artifacts.x86VmcoreDmesg, join(dir, "vmcore-dmesg.txt"));
  if (options.withDump !== false) place(options.dump ?? artifacts.x86Dump, join(dir, "vmcore"));
  const log = join(dir, "kexec-dmesg.log");
  writeFileSync(log, "kdump: saving vmcore-dmesg.txt complete\nkdump: saving vmcore complete\n");
  age(log);
  age(dir);
  return dir;
}
