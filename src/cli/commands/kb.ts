/**
 * @module cli/commands/kb
 * `crashlens kb`: the known-bugs index. `kb update DIR` rebuilds it from a clone of the
 * kernel CVE team's `vulns` repository, `kb import-git DIR` indexes a kernel checkout's fix
 * commits that quote reports, `kb status` says which indexes a run reads. Rebuilt indexes go
 * to `$XDG_CACHE_HOME/crashlens/kb/` (or `~/.cache/crashlens/kb/`) and are read before the
 * one shipped with crashlens.
 */
import type { Command } from "commander";
import { writeOut } from "../io.js";
import type { CliCommand } from "./index.js";

export const kbCommand: CliCommand = {
  register(program: Command, { io }) {
    const kb = program
      .command("kb")
      .description("the known-bugs index: rebuild it from the kernel's CVE records or git history");
    kb.command("update")
      .description("rebuild the index from a clone of the kernel CVE team's vulns repository")
      .argument("<dir>", "a clone of git.kernel.org/pub/scm/linux/security/vulns.git")
      .action(async (dir: string) => {
        const { buildVulnsKb } = await import("../../knowledge/kb/build.js");
        const { userKbDir, vulnsKb, writeKb } = await import("../../knowledge/kb/store.js");
        const start = performance.now();
        const { encoded, source } = await buildVulnsKb(dir);
        const location = writeKb(userKbDir(io.env), vulnsKb, encoded);
        const seconds = ((performance.now() - start) / 1000).toFixed(1);
        const kB = Math.round((encoded.lookup.length + encoded.records.length) / 1024);
        await writeOut(
          io.stdout,
          `${location.lookup}: ${source.records} records, ${source.withReports} quoting a report (${kB} kB, ${seconds} s)\n`,
        );
      });
    kb.command("import-git")
      .description(
        "index a kernel git checkout's fix commits (Fixes: tags) that quote crash reports",
      )
      .argument("<dir>", "a kernel git checkout (mainline or stable)")
      .option("--range <revs>", "only these commits, as git log takes them (e.g. v5.4..)")
      .action(async (dir: string, options: { range?: string }) => {
        const { buildGitKb } = await import("../../knowledge/kb/build.js");
        const { gitKb, kbLocations, readKbFiles, userKbDir, writeKb } = await import(
          "../../knowledge/kb/store.js"
        );
        const { KnowledgeBase } = await import("../../knowledge/kb/knowledge-base.js");
        // fixes the CVE index has are not repeated
        const cve = new KnowledgeBase(
          readKbFiles(kbLocations(io.env).filter((l) => l.name !== gitKb)),
        );
        const skip = new Set<string>();
        for (const record of cve.allRecords())
          for (const b of record.branches) if (b.fixCommit) skip.add(b.fixCommit);
        const start = performance.now();
        const { encoded, source } = await buildGitKb(dir, skip, options.range);
        const location = writeKb(userKbDir(io.env), gitKb, encoded);
        const seconds = ((performance.now() - start) / 1000).toFixed(1);
        const kB = Math.round((encoded.lookup.length + encoded.records.length) / 1024);
        await writeOut(
          io.stdout,
          `${location.lookup}: ${source.records} fix commits quoting a report (${kB} kB, ${seconds} s)\n`,
        );
      });
    kb.command("status")
      .description("say which known-bugs indexes a run reads")
      .action(async () => {
        const { kbLocations, readKbFiles } = await import("../../knowledge/kb/store.js");
        const locations = kbLocations(io.env);
        const files = readKbFiles(locations);
        const lines = locations.map((l, i) => {
          const f = files[i];
          const what = f
            ? `${f.source.kind}, ${f.source.records} records read (${f.source.withReports} quoting a report), ${f.count} indexed, built ${f.source.built} from ${f.source.from}`
            : "unreadable";
          return `${l.lookup} (${l.origin}): ${what}`;
        });
        await writeOut(
          io.stdout,
          `${lines.length > 0 ? lines.join("\n") : "no known-bugs index found"}\n`,
        );
      });
  },
};
