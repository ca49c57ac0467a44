/**
 * Release strings to upstream versions (the distributions' schemes as a table), and verdicts
 * from a bug's per-branch versions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BranchVersions } from "./kb/record.js";
import { formatVersion, kernelVersionOf, verdictFor } from "./versions.js";

describe("kernelVersionOf", () => {
  const cases: Array<
    [release: string, build: string, scheme: string, upstream: string | undefined]
  > = [
    ["6.1.0-56-cloud-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2", "Debian", "6.1.192"],
    ["6.1.0-56-cloud-amd64", "#1 SMP", "Debian", undefined],
    ["5.10.0-28-amd64", "#1 SMP Debian 5.10.209-2 (2024-01-31)", "Debian", "5.10.209"],
    ["5.15.0-91-generic", "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023", "Ubuntu", undefined],
    ["6.8.0-1015-aws", "#16-Ubuntu SMP", "Ubuntu", undefined],
    ["4.18.0-513.el8.x86_64", "#1 SMP", "RHEL", undefined],
    ["3.10.0-327.36.1.el7.x86_64", "#1 SMP", "RHEL", undefined],
    ["5.15.0-200.131.27.el9uek.x86_64", "#2 SMP", "Oracle UEK", undefined],
    ["5.14.21-150500.55.39-default", "#1 SMP PREEMPT_DYNAMIC", "SUSE", undefined],
    ["5.10.205-195.804.amzn2.x86_64", "#1 SMP", "Amazon Linux", undefined],
    ["6.6.23-200.fc39.x86_64", "#1 SMP PREEMPT_DYNAMIC", "Fedora", "6.6.23"],
    ["6.8.2-arch1-1", "#1 SMP PREEMPT_DYNAMIC", "Arch Linux", "6.8.2"],
    ["5.10.101-android12-9-00001-g1234", "#1 SMP PREEMPT", "Android", "5.10.101"],
    ["6.6.23", "#1 SMP", "upstream", "6.6.23"],
    ["6.9.0-rc3-00012-gabcdef", "#5", "upstream", "6.9-rc3"],
    ["5.17.0", "#10", "upstream", "5.17"],
  ];
  for (const [release, build, scheme, upstream] of cases) {
    it(`${release} (${build}) → ${scheme} ${upstream ?? "(vendor decides)"}`, () => {
      const v = kernelVersionOf(release, build);
      assert.equal(v.scheme, scheme);
      assert.equal(v.upstream ? formatVersion(v.upstream) : undefined, upstream);
      assert.equal(v.vendorDecides, upstream === undefined);
    });
  }
  it("a linux-next snapshot's version says nothing about its fixes", () => {
    const next = kernelVersionOf("6.4.0-next-20230703", "#1");
    assert.equal(next.scheme, "linux-next");
    assert.equal(next.upstream, undefined);
    assert.match(
      verdictFor(next, [{ introduced: "6.0", fixed: "6.4.5" }]).why,
      /linux-next snapshot after 6\.4/,
    );
  });
  it("a report without a release gives nothing to compare", () => {
    assert.deepEqual(kernelVersionOf(undefined), { scheme: "unknown", vendorDecides: false });
  });
});

describe("verdictFor", () => {
  // one bug: introduced in 6.4 (and backported into 6.2.15), fixed in 6.6.23, 6.7.11, 6.9
  const branches: BranchVersions[] = [
    { introduced: "6.4", fixed: "6.6.23" },
    { introduced: "6.4", fixed: "6.7.11" },
    { introduced: "6.4", fixed: "6.9" },
    { introduced: "6.2.15" },
  ];
  const cases: Array<[release: string, verdict: string]> = [
    ["6.6.22", "affected"],
    ["6.6.23", "fixed"],
    ["6.6.40", "fixed"],
    ["6.7.10", "affected"],
    ["6.8.5", "affected"], // an end-of-life branch that never got the fix
    ["6.9-rc2", "affected"],
    ["6.9", "fixed"],
    ["6.12.1", "fixed"],
    ["6.2.16", "affected"], // the stable-only introduction
    ["6.2.14", "unknown"], // before it: probably a different bug
    ["6.1.50", "unknown"],
    ["5.15.0-91-generic", "unknown"], // the vendor decides
  ];
  for (const [release, verdict] of cases) {
    it(`${release}: ${verdict}`, () => {
      assert.equal(verdictFor(kernelVersionOf(release, "#1"), branches).verdict, verdict);
    });
  }
  it("a bug as old as git history is in every kernel before its fix", () => {
    assert.equal(
      verdictFor(kernelVersionOf("4.19.0", "#1"), [{ fixed: "4.19.1" }]).verdict,
      "affected",
    );
    assert.equal(
      verdictFor(kernelVersionOf("5.4.1", "#1"), [{ fixed: "4.19.1" }, { fixed: "5.1" }]).verdict,
      "fixed",
    );
  });
  it("reads 2.6-era versions: 2.6.30 is a release, 2.6.32.27 a stable update of it", () => {
    const old: BranchVersions[] = [
      { introduced: "2.6.30", fixed: "6.6.33" },
      { introduced: "2.6.30", fixed: "6.9.4" },
    ];
    assert.equal(verdictFor(kernelVersionOf("6.6.32", "#1"), old).verdict, "affected");
    assert.equal(verdictFor(kernelVersionOf("2.6.32.27", "#1"), old).verdict, "affected");
    assert.equal(verdictFor(kernelVersionOf("2.6.29", "#1"), old).verdict, "unknown");
    assert.equal(formatVersion(kernelVersionOf("2.6.32.27", "#1").upstream as never), "2.6.32.27");
  });
  it("a distribution's stable kernel is affected unless it took the fix early", () => {
    const debian = kernelVersionOf("6.6.0-1-amd64", "#1 SMP Debian 6.6.22-1");
    assert.match(
      verdictFor(debian, branches).why,
      /^6\.6\.22 has the bug: .*unless Debian took the fix early/,
    );
  });
  it("says why the vendor decides", () => {
    assert.match(
      verdictFor(kernelVersionOf("4.18.0-513.el8.x86_64", "#1"), branches).why,
      /RHEL.*changelog/,
    );
  });
});
