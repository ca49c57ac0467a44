/**
 * `crashlens kb`: `update` builds the user's index from a vulns-repository layout into the
 * cache folder, which is then read before the packaged one; `import-git` indexes a git
 * history's fix commits that quote reports; `status` names what a run reads. The mails and
 * commit messages here are written for the test around the lab's real GPF report; the real
 * ones are read by known-bugs.conformance.test.ts.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { cli } from "../../../test/cli.js";
import { input } from "../../../test/inputs.js";
import { KnowledgeBase } from "../../knowledge/kb/knowledge-base.js";
import { gitKb, kbLocations, readKbFiles } from "../../knowledge/kb/store.js";
import { knownBugsFor } from "../../knowledge/known-bugs.js";
import { parseText } from "../../oops/parse.js";

const root = mkdtempSync(join(tmpdir(), "crashlens-kb-"));
after(() => rmSync(root, { recursive: true, force: true }));
const env = { XDG_CACHE_HOME: join(root, "cache"), HOME: root };

/** The lab's GPF report, quoted as a fix message would quote it. */
function gpfQuote(): string {
  const lines = input("lab:gpf").split("\n");
  const start = lines.findIndex((l) => l.includes("general protection fault"));
  const end = lines.findIndex((l, i) => i > start && l.includes("entry_SYSCALL_64_after_hwframe"));
  return lines.slice(start, end + 1).join("\n");
}

function cveMail(id: string, subject: string, description: string): string {
  return [
    "From bippy-1.2.0 Mon Sep 17 00:00:00 2001",
    `Subject: ${id}: ${subject}`,
    "",
    "Description",
    "===========",
    "",
    "In the Linux kernel, the following vulnerability has been resolved:",
    "",
    description,
    "",
    "Affected and fixed versions",
    "===========================",
    "",
    "\tIssue introduced in 6.1 with commit 1111111111111111111111111111111111111111 and fixed in 6.1.193 with commit 2222222222222222222222222222222222222222",
    "\tIssue introduced in 6.1 with commit 1111111111111111111111111111111111111111 and fixed in 6.2 with commit 3333333333333333333333333333333333333333",
    "",
  ].join("\n");
}

describe("crashlens kb", () => {
  it("update: builds the user's index from a vulns layout, read before the packaged one", async () => {
    const vulns = join(root, "vulns");
    mkdirSync(join(vulns, "cve", "published", "2099"), { recursive: true });
    mkdirSync(join(vulns, "cve", "rejected", "2099"), { recursive: true });
    writeFileSync(
      join(vulns, "cve", "published", "2099", "CVE-2099-0001.mbox"),
      cveMail(
        "CVE-2099-0001",
        "buggy: fix a crash in buggy_next_val()",
        `buggy: fix it\n\n${gpfQuote()}\n`,
      ),
    );
    writeFileSync(join(vulns, "cve", "rejected", "2099", "CVE-2099-0002.mbox"), "rejected");
    const run = await cli(["kb", "update", vulns], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 records, 1 quoting a report/);
    const dir = join(env.XDG_CACHE_HOME, "crashlens", "kb");
    assert.ok(existsSync(join(dir, "vulns.lookup")) && existsSync(join(dir, "vulns.records.gz")));
    assert.deepEqual(kbLocations(env)[0], {
      name: "vulns",
      lookup: join(dir, "vulns.lookup"),
      records: join(dir, "vulns.records.gz"),
      origin: "user",
    });
    // the test module's crash now has a record: the lab's Debian 6.1.192 kernel lacks the fix;
    // the module is flagged out-of-tree (OE) in the report, so no more than `possible`
    const kb = new KnowledgeBase(readKbFiles(kbLocations(env)));
    const report = parseText(input("lab:gpf")).reports[0];
    assert.ok(report);
    const [bug] = knownBugsFor(report, kb);
    assert.equal(bug?.id, "CVE-2099-0001");
    assert.equal(bug?.confidence, "possible");
    assert.ok(bug?.matched.some((m) => /capped at possible: the crash is in module buggy/.test(m)));
    assert.equal(bug?.verdict, "affected");
    assert.deepEqual(bug?.fix, { commit: "222222222222", version: "6.1.193" });
    const status = await cli(["kb", "status"], { env });
    assert.match(status.stdout, /vulns\.lookup \(user\): cve, 1 records read/);
  });

  it("update: a folder without the layout is an error naming it", async () => {
    const run = await cli(["kb", "update", join(root, "nowhere")], { env });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /no cve\/published\/<year>\/ folders/);
  });

  it("import-git: indexes fix commits with Fixes: tags that quote reports, with their releases", async () => {
    const repo = join(root, "linux");
    mkdirSync(repo);
    const gitEnv = {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.org",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.org",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: root,
    };
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, ...args], { env: gitEnv }).toString();
    git("init", "-q");
    git("commit", "-q", "--allow-empty", "-m", "buggy: add the next-value helper");
    git("tag", "v6.1");
    const bad = git("rev-parse", "HEAD").trim();
    const msg = join(root, "msg");
    writeFileSync(
      msg,
      `buggy: fix a crash in buggy_next_val()\n\n${gpfQuote()}\n\nFixes: ${bad.slice(0, 12)} ("buggy: add the next-value helper")\n`,
    );
    git("commit", "-q", "--allow-empty", "-F", msg);
    writeFileSync(msg, 'buggy: tidy up\n\nFixes: 1234567890ab ("x")\nNo report quoted here.\n');
    git("commit", "-q", "--allow-empty", "-F", msg);
    git("tag", "v6.2-rc1");
    const run = await cli(["kb", "import-git", repo], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 fix commits quoting a report/);
    const locations = kbLocations(env);
    assert.ok(locations.some((l) => l.name === gitKb));
    const files = readKbFiles(locations.filter((l) => l.name === gitKb));
    const record = files[0]?.record(0);
    assert.equal(record?.subject, "buggy: fix a crash in buggy_next_val()");
    assert.deepEqual(record?.branches, [
      {
        introducedCommit: bad.slice(0, 12),
        introduced: "6.1",
        fixCommit: record?.id,
        fixed: "6.2-rc1",
      },
    ]);
  });
});
