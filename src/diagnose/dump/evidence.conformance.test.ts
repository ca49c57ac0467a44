/**
 * The dump's own evidence on the lab's whole dumps, x86-64 and arm64: the exception the
 * panic task took is the one the console's oops names, and a hang lists the tasks crash's
 * `foreach UN bt` lists, with the module frames the console's hung-task reports show.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { shared } from "../../../test/shared.js";
import { Kernel } from "../../kernel/kernel.js";
import type { Kind } from "../../oops/report.js";
import { collectDumpEvidence } from "./evidence.js";

const CASES: { dump: string[]; kind: Kind; exception?: RegExp; blocked?: [number, string][] }[] = [
  {
    dump: ["dumps", "nullread.kdump-zlib"],
    kind: "null-deref",
    exception: /^buggy_read_status\+0x5 \[buggy\]$/,
  },
  {
    dump: ["dumps", "bugon.kdump-zlib"],
    kind: "kernel-bug",
    exception: /^buggy_check_state\.constprop\.0\+0x15 \[buggy\]$/,
  },
  {
    dump: ["dumps", "softlockup.kdump-zlib"],
    kind: "soft-lockup",
    exception: /^buggy_poll_hw\+0xe \[buggy\]$/,
  },
  {
    dump: ["dumps", "hung.kdump-zlib"],
    kind: "hung-task",
    blocked: [
      [100, "buggy_sync_with_worker [buggy]"],
      [102, "buggy_worker_fn [buggy]"],
    ],
  },
  {
    dump: ["arm64", "dumps", "nullread.kdump-zlib"],
    kind: "null-deref",
    exception: /^buggy_read_status\+0x8 \[buggy\]$/,
  },
  {
    dump: ["arm64", "dumps", "hung.kdump-zlib"],
    kind: "hung-task",
    blocked: [
      [103, "buggy_sync_with_worker [buggy]"],
      [105, "buggy_worker_fn [buggy]"],
    ],
  },
];

describe("dump evidence on the lab's dumps", () => {
  for (const c of CASES)
    it(`${c.dump.join("/")}: ${c.exception ? "the oops's exception" : "the blocked tasks"}`, async () => {
      const kernel = await Kernel.open(shared("lab", ...c.dump));
      try {
        const evidence = await collectDumpEvidence(kernel, c.kind);
        assert.deepEqual(evidence.warnings, []);
        assert.ok(evidence.panicTask !== undefined);
        if (c.exception) assert.match(evidence.exception?.function ?? "", c.exception);
        if (c.blocked) {
          const tasks = evidence.blockedTasks?.tasks ?? [];
          assert.deepEqual(
            tasks.map((t) => t.pid),
            c.blocked.map(([pid]) => pid),
          );
          for (const [i, [, frame]] of c.blocked.entries())
            assert.ok(tasks[i]?.frames.includes(frame), `pid ${tasks[i]?.pid}: ${frame}`);
        }
      } finally {
        await kernel.close();
      }
    });
});
