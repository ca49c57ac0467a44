/**
 * `startServer` on a real socket, spoken to with fetch: the URL it prints, ingest over HTTP,
 * a dump streamed past the limit (a 413 the client reads, no file left), local mode on
 * loopback, and the refusal to listen beyond loopback without a token.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { testdata } from "../../test/shared.js";
import { SqliteStore } from "../store/sqlite.js";
import { newTokenSecret, tokenHash } from "./auth.js";
import { isLoopback, OpenServerError, startServer } from "./start.js";

const root = mkdtempSync(join(tmpdir(), "crashlens-start-"));
after(() => rmSync(root, { recursive: true, force: true }));
const dumpBytes = readFileSync(testdata("dumps", "arm64-nullread-dmesg.kdump-zlib"));
const oops = readFileSync(testdata("oops", "x86_64", "lab-divzero.txt"), "utf8");
let count = 0;

interface Answer {
  auth?: string;
  role?: string;
  found?: number;
  reports: Array<{ id: number }>;
  error: { code: string; message: string };
}
const json = async (response: Response) => (await response.json()) as Answer;

async function fresh() {
  const store = await SqliteStore.open(join(root, `fleet-${++count}.db`));
  const tempDir = join(root, `uploads-${count}`);
  mkdirSync(tempDir);
  return { store, tempDir };
}

describe("startServer", () => {
  it("listens on a free loopback port, in local mode, and ingests over HTTP", async () => {
    const { store, tempDir } = await fresh();
    const server = await startServer({ store, port: 0, rateLimit: false, tempDir });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await json(await fetch(`${server.url}/api/health`));
      assert.equal(health.auth, "none");
      const r = await fetch(`${server.url}/api/reports?host=lab`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: oops,
      });
      assert.equal(r.status, 200);
      const body = await json(r);
      assert.equal(body.found, 1);
      // committed before the answer: the store has it
      assert.equal((await store.getReport((body.reports[0] as { id: number }).id))?.host, "lab");
      const dump = await fetch(`${server.url}/api/reports?host=arm&name=small.kdump`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: dumpBytes,
      });
      assert.equal(dump.status, 200);
      assert.equal((await json(dump)).found, 1);
    } finally {
      await server.close();
      await store.close();
    }
    await assert.rejects(fetch(`${server.url}/api/health`));
    assert.deepEqual(readdirSync(tempDir), [], "no upload folder left");
  });

  it("a streamed dump past --max-dump: the client reads the 413, the partial file is gone", async () => {
    const { store, tempDir } = await fresh();
    const server = await startServer({
      store,
      port: 0,
      rateLimit: false,
      tempDir,
      maxDumpBytes: 64 * 1024,
      maxBodyBytes: 8192,
    });
    try {
      // no Content-Length: the limit can only be found while streaming
      const chunks = Array.from({ length: 40 }, (_, i) =>
        dumpBytes.subarray(i * 4096, (i + 1) * 4096),
      );
      const r = await fetch(`${server.url}/api/reports?host=arm`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: Readable.toWeb(Readable.from(chunks)) as ReadableStream,
        duplex: "half",
      } as RequestInit);
      assert.equal(r.status, 413);
      const body = await json(r);
      assert.equal(body.error.code, "too-large");
      assert.match(body.error.message, /limit of 65536 bytes/);
      // each upload has its own folder, gone with it
      assert.deepEqual(readdirSync(tempDir), []);
      // Content-Length over the limit: refused before reading
      const declared = await fetch(`${server.url}/api/reports?host=arm`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: dumpBytes,
      });
      assert.equal(declared.status, 413);
      // a text body past --max-body (8 KiB here): the JSON 413 reaches the client
      const big = await fetch(`${server.url}/api/reports?host=arm`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: oops.repeat(20),
      });
      assert.equal(big.status, 413);
      assert.match((await json(big)).error.message, /limit of 8192 bytes \(--max-body\)/);
      // the server still answers on new connections
      assert.equal((await fetch(`${server.url}/api/health`)).status, 200);
    } finally {
      await server.close();
      await store.close();
    }
  });

  it("beyond loopback: refused with no token; with one, token mode even for local callers", async () => {
    const { store } = await fresh();
    await assert.rejects(startServer({ store, host: "0.0.0.0", port: 0 }), (error: Error) => {
      assert.ok(error instanceof OpenServerError);
      assert.match(error.message, /crashlens token create --role admin/);
      return true;
    });
    const secret = newTokenSecret();
    await store.createToken({ name: "ops", role: "read", hash: tokenHash(secret) });
    const server = await startServer({ store, host: "0.0.0.0", port: 0, rateLimit: false });
    try {
      const port = new URL(server.url).port;
      const anonymous = await fetch(`http://127.0.0.1:${port}/api/health`);
      assert.equal(anonymous.status, 401);
      const health = await json(
        await fetch(`http://127.0.0.1:${port}/api/health`, {
          headers: { authorization: `Bearer ${secret}` },
        }),
      );
      assert.deepEqual([health.auth, health.role], ["token", "read"]);
    } finally {
      await server.close();
      await store.close();
    }
  });

  it("local mode answers only its own loopback name and port (DNS rebinding)", async () => {
    const { store } = await fresh();
    const server = await startServer({ store, port: 0, rateLimit: false });
    const port = Number(new URL(server.url).port);
    const withHost = (host: string) =>
      new Promise<number>((done, fail) => {
        const request = httpRequest(
          { host: "127.0.0.1", port, path: "/api/health", headers: { host } },
          (response) => {
            response.resume();
            done(response.statusCode ?? 0);
          },
        );
        request.on("error", fail);
        request.end();
      });
    try {
      assert.equal(await withHost(`127.0.0.1:${port}`), 200);
      assert.equal(await withHost(`localhost:${port}`), 200);
      assert.equal(await withHost(`rebound.example:${port}`), 403);
      assert.equal(await withHost(`localhost:${port + 1}`), 403);
    } finally {
      await server.close();
      await store.close();
    }
  });

  it("tells loopback addresses from the others", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"])
      assert.ok(isLoopback(host), host);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "example.org", "128.0.0.1"])
      assert.ok(!isLoopback(host), host);
  });
});
