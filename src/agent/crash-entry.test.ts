/**
 * What `watch` makes of each entry of a crash directory, on the layouts Debian's kdump-tools
 * and Fedora/RHEL's kexec-tools write (built from committed real dumps and logs): one file per
 * crash, the dump before the log, nothing while a save is in progress or a file is still
 * changing, a save that failed long ago no longer blocking; links never followed and other
 * users' entries never sent (real symbolic links in a temporary directory).
 */
import assert from "node:assert/strict";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { testdata } from "../../test/shared.js";
import { planEntry, type Timing, trustedOwners } from "./crash-entry.js";
import { age, artifacts, DEBIAN_STAMP, debianCrash, rhelCrash } from "./crash-layouts.case.js";
import { kindOfFile } from "./payload.js";

const root = mkdtempSync(join(tmpdir(), "crashlens-crash-entry-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir);
  return dir;
};
const timing = (): Timing => ({ now: Date.now(), settleMs: 30_000, abandonMs: 3600_000 });

describe("watch: one crash entry", () => {
  it("Debian kdump-tools: the dump, with its dmesg as the fallback", async () => {
    const dir = debianCrash(fresh());
    const plan = await planEntry(dir, timing());
    assert.equal(plan.action, "send");
    assert.ok(plan.action === "send");
    assert.equal(plan.file, join(dir, `dump.${DEBIAN_STAMP}`));
    assert.equal(plan.kind, "dump");
    assert.equal(plan.fallback, join(dir, `dmesg.${DEBIAN_STAMP}`));
  });

  it("Debian kdump-tools: waits while dump-incomplete is there, sends once it is renamed", async () => {
    const dir = debianCrash(fresh(), { saving: true });
    assert.deepEqual(await planEntry(dir, timing()), {
      action: "wait",
      why: "being saved (dump-incomplete)",
    });
    renameSync(join(dir, "dump-incomplete"), join(dir, `dump.${DEBIAN_STAMP}`));
    // just written: still settling for one interval
    const settling = await planEntry(dir, timing());
    assert.equal(settling.action, "wait");
    age(join(dir, `dump.${DEBIAN_STAMP}`));
    // the rename moved the directory's time too
    assert.deepEqual(await planEntry(dir, timing()), {
      action: "wait",
      why: "the directory changed 0 s ago",
    });
    age(dir);
    const plan = await planEntry(dir, timing());
    assert.equal(plan.action === "send" && plan.kind, "dump");
  });

  it("RHEL kexec-tools: the vmcore, never kexec-dmesg.log; the log alone when no vmcore was saved", async () => {
    const dir = rhelCrash(fresh());
    const plan = await planEntry(dir, timing());
    assert.ok(plan.action === "send");
    assert.equal(plan.file, join(dir, "vmcore"));
    assert.equal(plan.fallback, join(dir, "vmcore-dmesg.txt"));
    const noDump = rhelCrash(fresh(), { withDump: false });
    const text = await planEntry(noDump, timing());
    assert.ok(text.action === "send");
    assert.equal(text.file, join(noDump, "vmcore-dmesg.txt"));
    assert.equal(text.kind, "text");
    assert.equal(text.fallback, undefined);
  });

  it("RHEL kexec-tools: a vmcore-incomplete being written blocks; one abandoned long ago does not", async () => {
    const dir = rhelCrash(fresh(), { withDump: false });
    copyFileSync(artifacts.x86Dump, join(dir, "vmcore-incomplete"));
    age(dir);
    assert.deepEqual(await planEntry(dir, timing()), {
      action: "wait",
      why: "being saved (vmcore-incomplete)",
    });
    // the core collector failed an hour and a half ago: the complete log still tells the crash
    age(join(dir, "vmcore-incomplete"));
    const plan = await planEntry(dir, timing());
    assert.ok(plan.action === "send");
    assert.equal(plan.file, join(dir, "vmcore-dmesg.txt"));
  });

  it("a zero-byte vmcore-dmesg-incomplete.txt left by a failed dmesg save does not hide the vmcore", async () => {
    const dir = rhelCrash(fresh());
    rmSync(join(dir, "vmcore-dmesg.txt"));
    writeFileSync(join(dir, "vmcore-dmesg-incomplete.txt"), "");
    age(join(dir, "vmcore-dmesg-incomplete.txt"));
    age(dir);
    const plan = await planEntry(dir, timing());
    assert.ok(plan.action === "send");
    assert.equal(plan.file, join(dir, "vmcore"));
    assert.equal(plan.fallback, undefined);
  });

  it("a file changed within the interval means not yet, whatever its name", async () => {
    const dir = rhelCrash(fresh());
    age(join(dir, "kexec-dmesg.log"), new Date(Date.now() - 5_000));
    const plan = await planEntry(dir, timing());
    assert.equal(plan.action, "wait");
    assert.match(plan.action === "wait" ? plan.why : "", /^kexec-dmesg\.log changed \d+ s ago$/);
    // rsync's hidden temporary file is activity too, though it is never sent
    const quiet = rhelCrash(fresh());
    writeFileSync(join(quiet, ".vmcore.Xy12ab"), "partial");
    age(quiet);
    assert.equal((await planEntry(quiet, timing())).action, "wait");
  });

  it("a directory with only the capture kernel's log has nothing to send", async () => {
    const dir = rhelCrash(fresh(), { withDump: false });
    rmSync(join(dir, "vmcore-dmesg.txt"));
    age(dir);
    assert.deepEqual(await planEntry(dir, timing()), {
      action: "nothing",
      why: "no complete dump or kernel log in it",
    });
  });

  it("plain files dropped in DIR: a log as text, a dump as a dump; kexec_cmd and apport files ignored", async () => {
    const dir = fresh();
    const log = join(dir, "console.log");
    copyFileSync(testdata("oops", "x86_64", "lab-gpf.txt"), log);
    age(log);
    const dump = join(dir, "node7.vmcore");
    copyFileSync(artifacts.oomDump, dump);
    age(dump);
    const logPlan = await planEntry(log, timing());
    assert.equal(logPlan.action === "send" && logPlan.kind, "text");
    const dumpPlan = await planEntry(dump, timing());
    assert.equal(dumpPlan.action === "send" && dumpPlan.kind, "dump");
    for (const name of ["kexec_cmd", "_usr_bin_python3.12.0.crash"]) {
      writeFileSync(join(dir, name), "x");
      assert.deepEqual(await planEntry(join(dir, name), timing()), { action: "ignore" });
    }
  });

  it("never follows a link: one to a file, one to a crash directory, one inside a crash directory", async () => {
    const outside = fresh();
    const secret = join(outside, "shadow");
    writeFileSync(secret, "root:$6$secret:19000:0:99999:7:::\n");
    age(secret);
    const elsewhere = debianCrash(join(outside, "elsewhere"));
    const dir = fresh();
    symlinkSync(secret, join(dir, "console.log"));
    symlinkSync(elsewhere, join(dir, "202611301300"));
    const link = { action: "nothing", why: "a symbolic link, never followed" };
    assert.deepEqual(await planEntry(join(dir, "console.log"), timing()), link);
    assert.deepEqual(await planEntry(join(dir, "202611301300"), timing()), link);
    // a crash directory whose log is a link to the secret: the link is not a file of it
    const planted = rhelCrash(fresh(), { withDump: false });
    rmSync(join(planted, "vmcore-dmesg.txt"));
    symlinkSync(secret, join(planted, "vmcore-dmesg.txt"));
    age(planted);
    assert.deepEqual(await planEntry(planted, timing()), {
      action: "nothing",
      why: "no complete dump or kernel log in it",
    });
    // and a file swapped for a link after the look is refused when opened
    await assert.rejects(
      kindOfFile(join(dir, "console.log"), { noFollow: true }),
      /cannot read .*console\.log \(ELOOP\)/,
    );
    assert.equal((await kindOfFile(join(dir, "console.log"))).kind, "text");
  });

  it("sends only what root or its own user owns", async () => {
    const dir = fresh();
    const log = join(dir, "console.log");
    copyFileSync(testdata("oops", "x86_64", "lab-gpf.txt"), log);
    age(log);
    const crash = debianCrash(fresh());
    assert.ok(trustedOwners().has(0));
    assert.ok(trustedOwners().has(process.getuid?.() ?? 0));
    assert.equal((await planEntry(log, timing())).action, "send");
    // as if these files were another user's: the files here belong to the test's user
    const others = new Set([(process.getuid?.() ?? 0) + 4242]);
    const refused = await planEntry(log, timing(), others);
    assert.equal(refused.action, "nothing");
    assert.match(
      refused.action === "nothing" ? refused.why : "",
      /^owned by uid \d+, not by root or the user watch runs as: not sent$/,
    );
    assert.equal((await planEntry(crash, timing(), others)).action, "nothing");
  });
});
