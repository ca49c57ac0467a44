/**
 * Builds the known-bugs index that ships with crashlens (data/kb/vulns.lookup and
 * vulns.records.gz) from a copy of the kernel CVE team's `vulns` repository (default:
 * ../shared/corpus/kernel-vulns):
 *   npx tsx scripts/build-kb.ts [VULNS_DIR] [OUT_DIR]
 * Users rebuild their own from a current clone with `crashlens kb update DIR`.
 */
import { resolve } from "node:path";
import { buildVulnsKb } from "../src/knowledge/kb/build.js";
import { vulnsKb, writeKb } from "../src/knowledge/kb/store.js";

const from = process.argv[2] ?? resolve("..", "shared", "corpus", "kernel-vulns");
const out = process.argv[3] ?? resolve("data", "kb");
const start = performance.now();
const { encoded, source } = await buildVulnsKb(from, "kernel-vulns");
const location = writeKb(out, vulnsKb, encoded);
const seconds = ((performance.now() - start) / 1000).toFixed(1);
const kB = (b: Buffer) => `${(b.length / 1024).toFixed(0)} kB`;
console.log(
  `${location.lookup} (${kB(encoded.lookup)}) + ${location.records} (${kB(encoded.records)}): ${source.records} records read, ${source.withReports} quote a report; built in ${seconds} s`,
);
