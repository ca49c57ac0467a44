/**
 * The analysis threads: the reports they return are the ones analysed in process (every
 * committed real log), errors keep their codes, and while a large paste is analysed the
 * server still answers other requests.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { testdata } from "../../test/shared.js";
import { reportsOfDump, reportsOfText } from "../store/ingest.js";
import { realInputs } from "../store/inputs.case.js";
import { SqliteStore } from "../store/sqlite.js";
import { AnalysisPool, acquirePool, poolAnalyzer } from "./analysis-pool.js";
import { buildApp } from "./app.js";
import { ApiError } from "./errors.js";
import { startServer } from "./start.js";

const root = mkdtempSync(join(tmpdir(), "crashlens-pool-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** every committed real log, again and again: over a second of analysis */
function largeText(): string {
  const all = realInputs()
    .map((i) => i.text)
    .join("\n");
  let text = all;
  while (text.length < 6 * 2 ** 20) text += `\n${all}`;
  return text;
}

describe("analysis pool", () => {
  it("returns what in-process analysis does, for every committed real log", async () => {
    const { analyzer, release } = acquirePool();
    try {
      const inputs = realInputs();
      const threaded = await Promise.all(
        inputs.map((input) => analyzer.reportsOfText({ text: input.text, host: input.name })),
      );
      let reports = 0;
      for (const [i, input] of inputs.entries()) {
        const here = await reportsOfText({ text: input.text, host: input.name });
        assert.equal(JSON.stringify(threaded[i]), JSON.stringify(here), input.name);
        reports += here.length;
      }
      assert.ok(reports > 100);
    } finally {
      await release();
    }
  });

  it("starts no more workers than its size and ends them on close", async () => {
    const pool = new AnalysisPool(1);
    const texts = realInputs().slice(0, 6);
    const answers = await Promise.all(
      texts.map((t) => pool.run({ kind: "reports", text: t.text })),
    );
    assert.equal(answers.length, 6);
    assert.ok(answers.every((a) => Array.isArray(a)));
    await pool.close();
    // a closed pool starts a fresh worker when used again
    assert.ok(Array.isArray(await pool.run({ kind: "reports", text: "no crash\n" })));
    await pool.close();
  });

  it("the server answers health while a large paste is analysed", async () => {
    const store = await SqliteStore.open(join(root, "fleet.db"));
    const server = await startServer({ store, port: 0, rateLimit: false });
    try {
      const text = largeText();
      const started = performance.now();
      const answer: { at?: number } = {};
      const analysed = fetch(`${server.url}/api/analyze`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: text,
      }).then(async (r) => {
        answer.at = performance.now();
        assert.equal(r.status, 200);
        assert.ok(((await r.json()) as { reports: unknown[] }).reports.length > 50);
      });
      // once the paste is uploaded and being analysed (over a second of work)
      await new Promise((done) => setTimeout(done, 300));
      const asked = performance.now();
      const health = await fetch(`${server.url}/api/health`);
      const healthMs = performance.now() - asked;
      assert.equal(health.status, 200);
      assert.equal(answer.at, undefined, "the analysis was still running");
      await analysed;
      const analysisMs = (answer.at ?? Number.NaN) - started;
      // on the event loop, health would wait for the rest of the analysis
      assert.ok(
        healthMs < (analysisMs - 300) / 2,
        `health ${healthMs} ms, analysis ${analysisMs} ms`,
      );
    } finally {
      await server.close();
      await store.close();
    }
  });

  it("analyses dumps on its threads too, as in process", async () => {
    const pool = new AnalysisPool(1);
    try {
      const path = testdata("dumps", "arm64-nullread-dmesg.kdump-zlib");
      const submission = { path, name: "arm.kdump", host: "arm-1", labels: { rack: "b" } };
      const threaded = await poolAnalyzer(pool).reportsOfDump(submission);
      assert.equal(threaded.length, 1);
      assert.equal(JSON.stringify(threaded), JSON.stringify(await reportsOfDump(submission)));
      const json = await poolAnalyzer(pool).analyzeFileJson(path, "arm.kdump");
      assert.match(json, /"kind": ?"null-deref"/);
    } finally {
      await pool.close();
    }
  });

  it("a job past its deadline: its worker is ended and replaced, the job answered 422", async () => {
    const pool = new AnalysisPool(1, { jobTimeoutMs: 300 });
    try {
      const started = performance.now();
      await assert.rejects(pool.run({ kind: "json", text: largeText() }), (error: Error) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.statusCode, 422);
        assert.equal(error.code, "analysis-timeout");
        return true;
      });
      assert.ok(performance.now() - started < 1500, "answered at the deadline");
      // the next job runs on a fresh worker
      assert.ok(Array.isArray(await pool.run({ kind: "reports", text: "no crash\n" })));
    } finally {
      await pool.close();
    }
  });

  it("a full queue answers 503 with Retry-After, in the error shape", async () => {
    const pool = new AnalysisPool(1, { maxQueued: 1, perWorker: 1 });
    const store = await SqliteStore.open(join(root, "busy.db"));
    const app = await buildApp({
      store,
      loopback: true,
      rateLimit: false,
      analyzer: poolAnalyzer(pool),
      uiDir: join(root, "no-ui"),
    });
    try {
      const post = (payload: string) =>
        app.inject({
          method: "POST",
          url: "/api/analyze",
          payload,
          headers: { "content-type": "text/plain" },
        });
      const big = largeText();
      const running = post(big);
      while (pool.load().running === 0) await new Promise((done) => setTimeout(done, 20));
      const queued = post("no crash\n");
      while (pool.load().queued === 0) await new Promise((done) => setTimeout(done, 20));
      const refused = await post("no crash either\n");
      assert.equal(refused.statusCode, 503);
      assert.equal(refused.headers["retry-after"], "5");
      assert.equal(refused.json().error.code, "busy");
      assert.equal((await running).statusCode, 200);
      assert.equal((await queued).statusCode, 200);
    } finally {
      await app.close();
      await pool.close();
      await store.close();
    }
  });
});
