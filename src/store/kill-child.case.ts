/**
 * @module store/kill-child.case
 * The writer that store/kill.test.ts kills with SIGKILL: ingests one lab crash under ever new
 * host names into the store given as argv[2] (a SQLite file or a PostgreSQL URL) and prints
 * `ack ID HOST` after each `ingest` resolves, until killed (or argv[3] reports).
 */
import { dataFile } from "../../test/inputs.js";
import { testdata } from "../../test/shared.js";
import { reportsOfText } from "./ingest.js";
import { openStore } from "./open.js";

const [path, max = "100000"] = process.argv.slice(2);
if (!path) throw new Error("usage: kill-child.case.ts DB|URL [COUNT]");
const text = dataFile(testdata("oops", "x86_64", "lab-nullread.txt")).log;
const [report] = await reportsOfText({ text, host: "unused" });
if (!report) throw new Error("the lab log holds no report");
const store = await openStore(path);
process.stdout.write("ready\n");
for (let i = 0; i < Number(max); i++) {
  const host = `host-${i}`;
  const ack = await store.ingest({ ...report, host, receivedAt: new Date().toISOString() });
  // stdout to a pipe is synchronous on Linux: the line is out when write returns
  process.stdout.write(`ack ${ack.id} ${host}\n`);
}
await store.close();
