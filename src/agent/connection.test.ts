/**
 * Which server and token an agent uses (flag, then environment, then the local default), the
 * labels it parses, and what it says when nothing listens: a bounded number of tries over a
 * real refused connection, with the backoff between them.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { CrashlensError } from "../errors.js";
import { CrashlensClient, SubmitError } from "./client.js";
import { DEFAULT_SERVER, resolveConnection } from "./connection.js";
import { parseLabel, parseLabels } from "./labels.js";

/** a loopback port nothing listens on (taken, then released) */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe("agent connection", () => {
  it("takes the flag, else the environment, else the local default", () => {
    const env = { CRASHLENS_SERVER: "https://crash.example.net/", CRASHLENS_TOKEN: "env-token" };
    assert.deepEqual(resolveConnection({}, {}), { server: DEFAULT_SERVER });
    assert.deepEqual(resolveConnection({}, env), {
      server: "https://crash.example.net",
      token: "env-token",
    });
    assert.deepEqual(resolveConnection({ server: "http://10.0.0.5:9000", token: "t" }, env), {
      server: "http://10.0.0.5:9000",
      token: "t",
    });
    assert.throws(() => resolveConnection({ server: "crash.example.net" }, {}), /not a URL/);
    assert.throws(() => resolveConnection({ server: "ftp://x" }, {}), /only http/);
    assert.throws(
      () => resolveConnection({ token: "abc\r\nX-Injected: 1" }, {}),
      /the token holds characters no token has/,
    );
    assert.equal(resolveConnection({ token: "q1_w-E.r~t+y/u==" }, {}).token, "q1_w-E.r~t+y/u==");
  });

  it("parses --label key=value and refuses anything else", () => {
    assert.deepEqual(parseLabels(["rack=b7", "env=prod=eu"]), { rack: "b7", env: "prod=eu" });
    assert.throws(() => parseLabels(["rack"]), /expected key=value/);
    assert.throws(() => parseLabels(["=x"]), /expected key=value/);
    assert.deepEqual(parseLabel("env=prod=eu"), ["env", "prod=eu"]);
    assert.throws(
      () => parseLabel("rack"),
      (error: unknown) => error instanceof CrashlensError && error.code === "usage",
    );
  });

  it("keeps __proto__ and constructor as labels, as own properties, prototype untouched", () => {
    const labels = parseLabels(["__proto__=x", "constructor=y", "rack=b7", "rack=b8"]);
    assert.deepEqual(Object.keys(labels), ["__proto__", "constructor", "rack"]);
    assert.equal(Object.getOwnPropertyDescriptor(labels, "__proto__")?.value, "x");
    assert.equal(Object.getPrototypeOf(labels), Object.prototype);
    assert.equal(labels.rack, "b8");
    // and so they travel: JSON keeps own keys, and so does the query the client builds
    assert.equal(JSON.stringify(labels), '{"__proto__":"x","constructor":"y","rack":"b8"}');
  });

  it("tries a refused connection a bounded number of times, backing off, then says so", async () => {
    const port = await closedPort();
    const client = new CrashlensClient({
      server: `http://127.0.0.1:${port}`,
      retry: { attempts: 3, baseDelayMs: 40, maxDelayMs: 1000 },
    });
    const start = performance.now();
    await assert.rejects(client.submitText("x", { host: "h" }), (error: unknown) => {
      assert.ok(error instanceof SubmitError);
      assert.equal(error.status, undefined);
      // nor will the next file get through: a batch stops here
      assert.equal(error.fatal, true);
      assert.equal(error.message, `cannot reach http://127.0.0.1:${port} (ECONNREFUSED), 3 tries`);
      return true;
    });
    // 40 ms then 80 ms between the three tries
    assert.ok(performance.now() - start >= 115, `${performance.now() - start} ms`);
  });

  it("says a file that cannot be read is the file's fault, not the network's", async () => {
    const client = new CrashlensClient({ server: "http://127.0.0.1:8080" });
    await assert.rejects(
      client.submitDump("/nonexistent/vmcore", { host: "h" }),
      /: cannot read \/nonexistent\/vmcore \(ENOENT\)$/,
    );
  });

  it("stops waiting between tries when aborted", async () => {
    const port = await closedPort();
    const stop = new AbortController();
    const client = new CrashlensClient({
      server: `http://127.0.0.1:${port}`,
      retry: { attempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 },
      signal: stop.signal,
    });
    setTimeout(() => stop.abort(), 100);
    const start = performance.now();
    await assert.rejects(client.submitText("x", { host: "h" }), /interrupted/);
    assert.ok(performance.now() - start < 5_000);
  });
});
