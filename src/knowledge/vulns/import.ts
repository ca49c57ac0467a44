/**
 * @module knowledge/vulns/import
 * Streams the records of a kernel `vulns` repository (`cve/published/<year>/CVE-*.mbox`, as
 * upstream lays it out; an up-to-date clone or the shared copy) as index records, one file
 * at a time, in id order. Rejected and reserved ids (`cve/rejected/`) are not read.
 */
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { CrashlensError } from "../../errors.js";
import type { KbRecord } from "../kb/record.js";
import { parseCveMail } from "./cve-mail.js";
import { maxMailBytes } from "./mbox.js";
import { quotedReports, subjectFunctions } from "./quoted-reports.js";

/** The folder that holds the year folders: DIR/cve/published, DIR/published or DIR itself. */
export async function findPublishedDir(dir: string): Promise<string> {
  for (const candidate of [join(dir, "cve", "published"), join(dir, "published"), dir]) {
    try {
      const names = await readdir(candidate);
      if (names.some((n) => /^\d{4}$/.test(n))) return candidate;
    } catch {
      // not this one
    }
  }
  throw new CrashlensError(
    "not-found",
    `${dir}: no cve/published/<year>/ folders (expected a clone of the kernel's vulns repository)`,
    { path: dir },
  );
}

/** Sorts CVE file names by year then number ("CVE-2024-9" before "CVE-2024-10"). */
function byId(a: string, b: string): number {
  const na = /-(\d+)\./.exec(a)?.[1] ?? "0";
  const nb = /-(\d+)\./.exec(b)?.[1] ?? "0";
  return Number(na) - Number(nb) || a.localeCompare(b);
}

/** One record from one announcement text, or undefined when it is not one. */
export function recordOfMail(text: string, fallbackId?: string): KbRecord | undefined {
  const mail = parseCveMail(text, fallbackId);
  if (!mail) return undefined;
  return {
    id: mail.id,
    subject: mail.subject,
    branches: mail.branches,
    files: mail.files,
    reports: quotedReports(mail.description),
    functions: subjectFunctions(mail.subject),
  };
}

/** A mail's first maxMailBytes (parseMail cuts there: reading more would be discarded). */
async function readHead(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(Math.min((await handle.stat()).size, maxMailBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** Streams every published record under `dir`. */
export async function* readVulnsDir(dir: string): AsyncGenerator<KbRecord> {
  const root = await findPublishedDir(dir);
  const years = (await readdir(root)).filter((n) => /^\d{4}$/.test(n)).sort();
  for (const year of years) {
    const names = (await readdir(join(root, year)))
      .filter((n) => /^CVE-\d{4}-\d+\.mbox$/.test(n))
      .sort(byId);
    for (const name of names) {
      const path = join(root, year, name);
      const text = await readHead(path);
      const record = recordOfMail(text, name.replace(/\.mbox$/, ""));
      if (record) yield record;
    }
  }
}
