/**
 * @module knowledge/versions
 * From a kernel's release string (`uname -r`, and the build string after it) to the upstream
 * version it is, where the distribution's scheme says so, and from that version and a known
 * bug's per-branch versions to a verdict: `affected` (the bug is in this version, the fix is
 * not), `fixed` (this version has the fix) or `unknown` (a distribution kernel whose
 * backports only its vendor's changelog knows, or no version at all). Schemes are a table.
 */
import type { BranchVersions } from "./kb/record.js";

/**
 * An upstream version: major.minor[.patch][-rcN]. Before 3.0 a release was 2.6.N and its
 * stable updates 2.6.N.M: there `minor` holds 6 and N (6000 + N), so that one scheme orders
 * and branches both eras.
 */
export interface UpstreamVersion {
  major: number;
  minor: number;
  patch: number;
  /** release candidate number; undefined for a release */
  rc?: number;
}

export interface KernelVersion {
  /** the upstream version the kernel is, when the scheme tells it */
  upstream?: UpstreamVersion;
  /** the upstream branch ("6.1") the kernel is based on, even when the point release is not known */
  base?: UpstreamVersion;
  /** the distribution or scheme recognised: "Debian", "Ubuntu", "RHEL", "upstream", … */
  scheme: string;
  /** the vendor backports fixes without changing the upstream version: only its changelog can tell */
  vendorDecides: boolean;
  /** a development snapshot (linux-next): its version says nothing about which fixes it has */
  snapshot?: boolean;
}

const versionShape = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-rc(\d+))?/;
const oldVersionShape = /^2\.(\d+)\.(\d+)(?:\.(\d+))?(?:-rc(\d+))?/;

export function parseUpstreamVersion(text: string): UpstreamVersion | undefined {
  const old = oldVersionShape.exec(text.trim());
  if (old) {
    const v: UpstreamVersion = {
      major: 2,
      minor: Number(old[1]) * 1000 + Number(old[2]),
      patch: old[3] === undefined ? 0 : Number(old[3]),
    };
    if (old[4] !== undefined) v.rc = Number(old[4]);
    return v;
  }
  const m = versionShape.exec(text.trim());
  if (!m) return undefined;
  const v: UpstreamVersion = {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
  };
  if (m[4] !== undefined) v.rc = Number(m[4]);
  return v;
}

/** Orders versions; an -rc comes before its release. */
export function compareVersions(a: UpstreamVersion, b: UpstreamVersion): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    a.patch - b.patch ||
    (a.rc ?? Number.POSITIVE_INFINITY) - (b.rc ?? Number.POSITIVE_INFINITY)
  );
}

export function formatVersion(v: UpstreamVersion): string {
  const minor = v.major === 2 ? `${Math.floor(v.minor / 1000)}.${v.minor % 1000}` : `${v.minor}`;
  return `${v.major}.${minor}${v.patch ? `.${v.patch}` : ""}${v.rc !== undefined ? `-rc${v.rc}` : ""}`;
}

export const sameBranch = (a: UpstreamVersion, b: UpstreamVersion) =>
  a.major === b.major && a.minor === b.minor;

interface Scheme {
  name: string;
  /** matches the release (and build string, for the schemes that need it) */
  release: RegExp;
  build?: RegExp;
  /**
   * what the version means: "upstream" — the release is an upstream stable version;
   * "build" — the build string carries the upstream version (capture 1); "vendor" — only the
   * base branch is known, the vendor backports
   */
  means: "upstream" | "build" | "vendor" | "snapshot";
}

/**
 * Release schemes, first match wins. Debian's release names the ABI (`6.1.0-56`), its build
 * string the upstream stable version it packages (`Debian 6.1.192-2`); Ubuntu, RHEL and its
 * rebuilds, SUSE, Oracle UEK and Amazon's kernels keep an old base version and backport.
 * Fedora, Arch, Alpine, Gentoo, NixOS and Android's GKI ship upstream stable releases (with
 * their own patches on top, which rarely include a stable fix early).
 */
/** Debian's kernel flavours: the part of its release after the ABI number. */
const DEBIAN_FLAVOUR =
  "(?:amd64|arm64|cloud-amd64|cloud-arm64|rt-amd64|rt-arm64|686(?:-pae)?|armmp(?:-lpae)?|powerpc64le|s390x|riscv64|marvell|rpi|octeon|loongson-3|mips64r2el|4kc-malta|5kc-malta)";

const schemes: readonly Scheme[] = [
  // linux-next: tomorrow's mainline on top of today's version number
  { name: "linux-next", release: /-next-\d{8}/, means: "snapshot" },
  {
    name: "Debian",
    release: new RegExp(`^\\d+\\.\\d+\\.\\d+-\\d+(?:\\+deb\\d+)?-${DEBIAN_FLAVOUR}$`),
    build: /\bDebian (\d+\.\d+(?:\.\d+)?)(?:-\d|\+|\b)/,
    means: "build",
  },
  {
    name: "Ubuntu",
    release:
      /^\d+\.\d+\.\d+-\d+-(?:generic|lowlatency|aws|azure|gcp|gke|gkeop|oracle|kvm|raspi|ibm|nvidia|intel|oem|hwe|realtime|xilinx|bluefield)\S*$/,
    means: "vendor",
  },
  { name: "Ubuntu", release: /^\d+\.\d+\.\d+-\d+\S*$/, build: /Ubuntu/, means: "vendor" },
  {
    name: "Debian",
    release: new RegExp(`^\\d+\\.\\d+\\.\\d+-\\d+(?:\\+deb\\d+)?-${DEBIAN_FLAVOUR}$`),
    means: "vendor",
  },
  { name: "Oracle UEK", release: /uek/, means: "vendor" },
  { name: "RHEL", release: /\.el\d+(?:_\d+)?/, means: "vendor" },
  {
    name: "SUSE",
    release: /^\d+\.\d+\.\d+-\d{6}\.|^\d+\.\d+\.\d+-[\d.]+-(?:default|azure|rt|64kb)$/,
    means: "vendor",
  },
  { name: "Amazon Linux", release: /\.amzn\d+/, means: "vendor" },
  { name: "RHEL rebuild", release: /\.(?:an|oe|ky|ol)\d+/, means: "vendor" },
  { name: "Fedora", release: /\.fc\d+/, means: "upstream" },
  { name: "Arch Linux", release: /-arch\d+-\d+|-lts$|-zen\d*|-hardened\d*/, means: "upstream" },
  { name: "Android", release: /-android\d+-/, means: "upstream" },
  { name: "upstream", release: /^\d+\.\d+(?:\.\d+)?(?:-rc\d+)?(?:[-+_.~].*)?$/, means: "upstream" },
];

/** What a kernel release says about the upstream version it is. */
export function kernelVersionOf(release: string | undefined, build?: string): KernelVersion {
  const base = release ? parseUpstreamVersion(release) : undefined;
  if (!release || !base) return { scheme: "unknown", vendorDecides: false };
  const branch = { major: base.major, minor: base.minor, patch: 0 };
  for (const scheme of schemes) {
    if (!scheme.release.test(release)) continue;
    if (scheme.build && !(build && scheme.build.test(build))) continue;
    if (scheme.means === "vendor")
      return { base: branch, scheme: scheme.name, vendorDecides: true };
    if (scheme.means === "snapshot")
      return { base: branch, scheme: scheme.name, vendorDecides: false, snapshot: true };
    if (scheme.means === "build") {
      const upstream = parseUpstreamVersion(scheme.build?.exec(build ?? "")?.[1] ?? "");
      if (upstream && sameBranch(upstream, base))
        return { upstream, base: branch, scheme: scheme.name, vendorDecides: false };
      continue;
    }
    return { upstream: base, base: branch, scheme: scheme.name, vendorDecides: false };
  }
  return { base: branch, scheme: "unknown", vendorDecides: true };
}

export type Verdict = "affected" | "fixed" | "unknown";

export interface VerdictResult {
  verdict: Verdict;
  /** one sentence on why, for the write-up */
  why: string;
}

/** The branch a release belongs to, as a version with patch 0. */
function branchOf(v: UpstreamVersion): UpstreamVersion {
  return { major: v.major, minor: v.minor, patch: 0 };
}

/** A mainline release ("6.9", "6.9-rc3"), as opposed to a stable one ("6.6.23"). */
const isMainline = (v: UpstreamVersion) => v.patch === 0;

/**
 * The verdict for an upstream version against a bug's per-branch lines:
 * - fixed: the branch's stable fix is at or before the version, or the mainline fix is;
 * - affected: not fixed, and the bug was introduced at or before the version (mainline
 *   introductions reach every later branch; a stable-only one its own branch);
 * - otherwise the version predates the bug (per the record): unknown, saying so.
 */
export function verdictFor(
  kernel: KernelVersion,
  branches: readonly BranchVersions[],
): VerdictResult {
  const v = kernel.upstream;
  if (kernel.snapshot && kernel.base)
    return {
      verdict: "unknown",
      why: `a ${kernel.scheme} snapshot after ${formatVersion(kernel.base)}: whether it has the fix depends on its date, not its version`,
    };
  if (!v) {
    if (kernel.vendorDecides && kernel.base)
      return {
        verdict: "unknown",
        why: `${kernel.scheme} kernel based on ${formatVersion(kernel.base)}: the vendor backports fixes, its changelog decides`,
      };
    return { verdict: "unknown", why: "the report gives no kernel release to compare" };
  }
  const parsed = branches.map((b) => ({
    introduced: b.introduced ? parseUpstreamVersion(b.introduced) : undefined,
    fixed: b.fixed ? parseUpstreamVersion(b.fixed) : undefined,
    line: b,
  }));
  for (const b of parsed) {
    if (!b.fixed || compareVersions(v, b.fixed) < 0) continue;
    if (sameBranch(v, b.fixed))
      return { verdict: "fixed", why: `${formatVersion(v)} has the fix (${b.line.fixed})` };
    if (isMainline(b.fixed) && b.fixed.rc === undefined)
      return {
        verdict: "fixed",
        why: `${formatVersion(v)} is after the mainline fix (${b.line.fixed})`,
      };
    if (isMainline(b.fixed) && compareVersions(branchOf(v), branchOf(b.fixed)) > 0)
      return {
        verdict: "fixed",
        why: `${formatVersion(v)} is after the mainline fix (${b.line.fixed})`,
      };
  }
  // the mainline fix may be listed as an -rc or only as the newest branch: any fix on an
  // older branch than v's is in v only if v's branch is newer than the mainline fix
  const mainlineFix = parsed
    .map((b) => b.fixed)
    .filter((f): f is UpstreamVersion => f !== undefined)
    .sort(compareVersions)
    .at(-1);
  if (mainlineFix && compareVersions(branchOf(v), branchOf(mainlineFix)) > 0)
    return {
      verdict: "fixed",
      why: `${formatVersion(v)} is newer than every fixed release listed`,
    };
  const intros = parsed.filter((b) => b.introduced);
  const introducedHere = intros.some((b) => {
    const i = b.introduced as UpstreamVersion;
    if (compareVersions(v, i) < 0) return false;
    return isMainline(i) || sameBranch(v, i);
  });
  if (intros.length === 0 || introducedHere) {
    const fixHere = parsed.find((b) => b.fixed && sameBranch(b.fixed, v));
    const hint = fixHere
      ? `fixed in ${fixHere.line.fixed} on its branch`
      : `no fix on the ${formatVersion(branchOf(v))} branch`;
    // a distribution that ships stable releases may still have taken the fix early
    const vendor =
      kernel.scheme === "upstream" ? "" : ` (unless ${kernel.scheme} took the fix early)`;
    return { verdict: "affected", why: `${formatVersion(v)} has the bug: ${hint}${vendor}` };
  }
  return {
    verdict: "unknown",
    why: `${formatVersion(v)} predates the commit that introduced the bug (per the record): probably a different bug`,
  };
}
