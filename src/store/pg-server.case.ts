/**
 * @module store/pg-server.case
 * A private PostgreSQL cluster for tests and benchmarks: `initdb` into a temporary directory,
 * started on a free loopback port (and a socket in that directory), trust authentication for
 * the `postgres` user, one database `crashlens`. initdb refuses to run as root, so as root the
 * directory belongs to the `postgres` user and the binaries run under `runuser`.
 * `stop()` always cleans up: the server is stopped (immediate mode) and the directory removed.
 */
import { execFile, execFileSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
const PG_ROOT = "/usr/lib/postgresql";

export interface PostgresServer {
  /** postgresql://postgres@127.0.0.1:PORT/crashlens */
  url: string;
  /** a new empty database in the cluster, by URL */
  freshDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's bin directory, or a clear error. */
function binDir(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => existsSync(join(PG_ROOT, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined)
    throw new Error(
      `PostgreSQL's initdb is not installed (looked for ${PG_ROOT}/*/bin/initdb): the PostgreSQL ` +
        "store's tests need it. Install it with `node scripts/test-deps.mjs` (Debian's postgresql).",
    );
  return join(PG_ROOT, newest, "bin");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "crashlens-pg-"));
  const data = join(dir, "data");
  const socket = join(dir, "socket");
  mkdirSync(socket);
  if (asRoot) {
    const [uid, gid] = ["-u", "-g"].map((flag) =>
      Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim()),
    );
    for (const path of [dir, socket]) chownSync(path, uid ?? 0, gid ?? 0);
  }
  /** one of PostgreSQL's programs, as the postgres user when we are root */
  const pgTool = (tool: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(bin, tool), ...args], { timeout: 120_000 })
      : run(join(bin, tool), args, { timeout: 120_000 });

  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      const args = ["stop", "-D", data, "-m", "immediate", "-w"];
      if (existsSync(join(data, "postmaster.pid")))
        asRoot
          ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), ...args], {
              stdio: "ignore",
            })
          : execFileSync(join(bin, "pg_ctl"), args, { stdio: "ignore" });
    } catch {
      // already gone: the directory goes anyway
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // a test process that ends without calling stop() leaves no server behind
  process.once("exit", stopNow);

  try {
    await pgTool("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--no-locale",
      "--no-sync",
    ]);
    let port = 0;
    // the free port may be taken between the probe and the start: try again on another
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await pgTool("pg_ctl", [
          "start",
          "-D",
          data,
          "-w",
          "-t",
          "60",
          "-l",
          join(dir, "server.log"),
          "-o",
          `-c listen_addresses=127.0.0.1 -p ${port} -k ${socket}`,
        ]);
        break;
      } catch (error) {
        if (attempt >= 3) {
          const log = existsSync(join(dir, "server.log"))
            ? readFileSync(join(dir, "server.log"), "utf8")
            : "";
          throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
        }
      }
    }
    const base = `postgresql://postgres@127.0.0.1:${port}`;
    let databases = 0;
    const freshDatabase = async (name = `crashlens_${++databases}`) => {
      const admin = new pg.Client({ connectionString: `${base}/postgres` });
      await admin.connect();
      try {
        // the name is ours (a fixed prefix and a counter), never input: CREATE DATABASE takes no parameters
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `${base}/${name}`;
    };
    const url = await freshDatabase("crashlens");
    return {
      url,
      freshDatabase: () => freshDatabase(),
      stop: async () => {
        process.removeListener("exit", stopNow);
        stopNow();
      },
    };
  } catch (error) {
    process.removeListener("exit", stopNow);
    stopNow();
    throw error;
  }
}
