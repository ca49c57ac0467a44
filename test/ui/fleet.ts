/**
 * @module test/ui/fleet
 * A fleet store for the browser tests, filled with real inputs the way the server ingests
 * them (`reportsOfText`): every lab console log of both architectures, the seed cases, a few
 * real-world cases with known bugs, the lab null-pointer oops from 30 hosts over twelve days
 * (a cluster with a trend), and the hostile-comm fixture.
 */
import { readdirSync, readFileSync } from "node:fs";
import { reportsOfText } from "../../src/store/ingest.js";
import type { Store } from "../../src/store/types.js";
import { dataFile } from "../inputs.js";
import { testdata } from "../shared.js";

/** real-world cases whose reports match known upstream bugs (possible ones; 111: exact) */
const REALWORLD_WITH_BUGS = ["103-", "101-", "111-"];
const DAY_MS = 86_400_000;
const START = Date.parse("2026-11-01T08:00:00Z");

export interface Fleet {
  /** the cluster of the lab null-pointer oops, seen from many hosts on many days */
  trendCluster: number;
  /** the report of testdata/fleet/hostile-comm.txt */
  hostileReport: number;
  /** a report of the lab x86_64 null-pointer oops (has evidence far down its log) */
  labReport: number;
  /** how many reports and clusters went in */
  reports: number;
}

async function submit(
  store: Store,
  text: string,
  host: string,
  receivedAt: string,
  labels: Record<string, string> = {},
) {
  const results = [];
  for (const report of await reportsOfText({ text, host, labels, receivedAt }))
    results.push(await store.ingest(report));
  return results;
}

export async function fillFleet(store: Store): Promise<Fleet> {
  let hour = 0;
  const next = () => new Date(START + hour++ * 3_600_000).toISOString();
  let reports = 0;
  for (const arch of ["x86_64", "arm64"])
    for (const file of readdirSync(testdata("oops", arch)).sort())
      reports += (
        await submit(store, dataFile(testdata("oops", arch, file)).log, `lab-${arch}`, next(), {
          source: "lab",
        })
      ).length;
  for (const file of readdirSync(testdata("seeds")).filter((f) => f.endsWith(".txt")))
    reports += (await submit(store, readFileSync(testdata("seeds", file), "utf8"), "seed", next()))
      .length;
  const realworld = readdirSync(testdata("realworld"));
  for (const prefix of REALWORLD_WITH_BUGS) {
    const file = realworld.find((f) => f.startsWith(prefix) && f.endsWith(".txt"));
    if (!file) throw new Error(`no real-world case ${prefix}`);
    reports += (
      await submit(store, readFileSync(testdata("realworld", file), "utf8"), "ticket", next())
    ).length;
  }

  const lab = dataFile(testdata("oops", "x86_64", "lab-nullread.txt")).log;
  let trend: { cluster: number; id: number } | undefined;
  // one host per submission: the same text from the same host is one report (idempotence)
  let machine = 0;
  for (let day = 0; day < 12; day++)
    for (let host = 0; host <= day % 4; host++) {
      const at = new Date(START + 8 * DAY_MS + day * DAY_MS + host * 3_600_000).toISOString();
      const name = `web-${String(++machine).padStart(2, "0")}`;
      const [result] = await submit(store, lab, name, at, { dc: day % 2 ? "fra" : "ams" });
      if (!result) throw new Error("the lab null-pointer oops gave no report");
      trend ??= result;
      reports++;
    }

  const hostile = dataFile(testdata("fleet", "hostile-comm.txt")).log;
  const [hostileResult] = await submit(
    store,
    hostile,
    "evil-<b>host</b>",
    new Date(START + 19 * DAY_MS).toISOString(),
    { team: "<img src=x onerror=alert(2)>" },
  );
  if (!trend || !hostileResult) throw new Error("fixtures gave no report");
  return {
    trendCluster: trend.cluster,
    hostileReport: hostileResult.id,
    labReport: trend.id,
    reports: reports + 1,
  };
}
