/**
 * @module kernel/unwind/orc-version
 * Which orc_entry layout a kernel uses, by the strongest evidence available in its memory:
 * the `.orc_header` hash, then the bits of the kernel's own `orc_fp_entry`, then the release
 * string. Each rule is a table row naming the kernel commit it rests on.
 */
import type { OrcVersion, ReadMemory } from "./types.js";

/**
 * `.orc_header` (b9f174c811e3 "x86/unwind/orc: Add ELF section with ORC version identifier",
 * v6.4, backported to 6.3.10): the sha1 of orc_types.h's definitions (scripts/orc_hash.sh).
 */
const HEADER_HASHES: readonly { hash: string; version: OrcVersion; origin: string }[] = [
  {
    hash: "fe5d32bf581bd63b2ca9a5c65ba5a625eab3fe24",
    version: 3,
    origin: "v6.4 fb799447ae29",
  },
  {
    hash: "db84aed4103b31dd51e017f8f79783ca985c2c51",
    version: 2,
    origin: "v6.3 ffb1b4a41016",
  },
];

/**
 * The u16 flags of `static struct orc_entry orc_fp_entry` in unwind_orc.c (CALL, sp_reg BP,
 * bp_reg PREV_SP): the type and PREV_SP numbers moved between layouts, so the word names the
 * layout family (crash x86_64_ORC_init tests its bp_reg for 7.1's numbering).
 */
const FP_ENTRY_FLAGS: readonly { flags: number; versions: readonly OrcVersion[] }[] = [
  { flags: 0x0014, versions: [1, 2] }, // CALL = 0, PREV_SP = 1, BP = 4
  { flags: 0x0214, versions: [3] }, // CALL = 2 (6.4 type numbers)
  { flags: 0x0284, versions: [4] }, // PREV_SP = 8 (7.1 register numbers)
];

/** release rules, first match wins (drgn orc_version_from_osrelease) */
const RELEASE_RULES: readonly {
  test: (major: number, minor: number, release: string) => boolean;
  version: OrcVersion;
  why: string;
}[] = [
  { test: (M, m) => M > 7 || (M === 7 && m >= 1), version: 4, why: "7.1+" },
  { test: (M, m) => M > 6 || (M === 6 && m >= 4), version: 3, why: "6.4+" },
  { test: (M, m) => M === 6 && m === 3, version: 2, why: "6.3" },
  {
    // RHEL 9.6 backported the 6.4 layout into 5.14.0-517.el9 and later
    test: (M, m, r) => M === 5 && m === 14 && rhelBuild(r) >= 517,
    version: 3,
    why: "RHEL 9 5.14.0-517.el9+",
  },
  { test: () => true, version: 1, why: "before 6.3" },
];

function rhelBuild(release: string): number {
  const match = /^5\.14\.0-(\d+)[^ ]*\.el9/.exec(release);
  return match ? Number(match[1]) : -1;
}

export interface OrcVersionVerdict {
  readonly version: OrcVersion;
  /** the evidence, for people: "orc_header hash v6.4 fb799447ae29", "orc_fp_entry 0x0014 + release 6.1.0" */
  readonly evidence: string;
}

export function versionFromRelease(release: string): OrcVersionVerdict | undefined {
  const match = /^(\d+)\.(\d+)/.exec(release);
  if (!match) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const rule = RELEASE_RULES.find((r) => r.test(major, minor, release));
  return rule && { version: rule.version, evidence: `release ${release} (${rule.why})` };
}

export function versionFromHeader(header: Uint8Array): OrcVersionVerdict | undefined {
  const hex = Buffer.from(header.subarray(0, 20)).toString("hex");
  const row = HEADER_HASHES.find((h) => h.hash === hex);
  return row && { version: row.version, evidence: `orc_header hash of ${row.origin}` };
}

/** the versions an orc_fp_entry flags word allows (empty when unknown) */
export function versionsFromFpEntry(flags: number): readonly OrcVersion[] {
  return FP_ENTRY_FLAGS.find((row) => row.flags === flags)?.versions ?? [];
}

export interface VersionInputs {
  readonly read: ReadMemory;
  /** address of a kernel symbol, or undefined */
  readonly symbol: (name: string) => bigint | undefined;
  readonly release?: string;
}

/** Picks the layout; undefined when nothing in the dump decides it. */
export async function detectOrcVersion(
  inputs: VersionInputs,
): Promise<OrcVersionVerdict | undefined> {
  const { read, symbol, release } = inputs;
  const fromRelease = release === undefined ? undefined : versionFromRelease(release);
  const headerStart = symbol("__start_orc_header");
  const headerStop = symbol("__stop_orc_header");
  if (headerStart !== undefined && (headerStop === undefined || headerStop - headerStart === 20n)) {
    const header = await read(headerStart, 20).catch(() => undefined);
    const verdict = header && versionFromHeader(header);
    if (verdict) return verdict;
  }
  const fpEntry = symbol("orc_fp_entry");
  if (fpEntry !== undefined) {
    const bytes = await read(fpEntry + 4n, 2).catch(() => undefined);
    if (bytes !== undefined) {
      const flags = (bytes[0] as number) | ((bytes[1] as number) << 8);
      const allowed = versionsFromFpEntry(flags);
      const word = `orc_fp_entry flags 0x${flags.toString(16).padStart(4, "0")}`;
      if (allowed.length === 1) return { version: allowed[0] as OrcVersion, evidence: word };
      if (fromRelease && allowed.includes(fromRelease.version))
        return { version: fromRelease.version, evidence: `${word} + ${fromRelease.evidence}` };
      if (allowed.length > 0)
        return { version: allowed[0] as OrcVersion, evidence: `${word} (release unknown)` };
    }
  }
  return fromRelease;
}
