/**
 * @module agent/fleet-server.case
 * A real `crashlens serve` for the agent's tests: the server of `src/server/start.ts` on a
 * fresh SQLite file, on a free loopback port, with the options a test asks for.
 */
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { type ServerOptions, startServer } from "../server/start.js";
import { SqliteStore } from "../store/sqlite.js";
import type { TokenRole } from "../store/types.js";

export interface FleetServer {
  url: string;
  store: SqliteStore;
  /** the secret of the token made for each role asked for */
  tokens: Partial<Record<TokenRole, string>>;
  close(): Promise<void>;
}

let servers = 0;

/** `roles`: tokens to make before the server starts (with none, it runs in local mode) */
export async function fleetServer(
  dir: string,
  options: Partial<Omit<ServerOptions, "store">> = {},
  roles: readonly TokenRole[] = [],
): Promise<FleetServer> {
  const store = await SqliteStore.open(join(dir, `fleet-${++servers}.db`));
  const tokens: Partial<Record<TokenRole, string>> = {};
  for (const role of roles) {
    const secret = randomBytes(24).toString("base64url");
    const hash = createHash("sha256").update(secret).digest("hex");
    await store.createToken({ name: role, role, hash });
    tokens[role] = secret;
  }
  const server = await startServer({ port: 0, rateLimit: false, ...options, store });
  return {
    url: server.url,
    store,
    tokens,
    async close() {
      await server.close();
      await store.close().catch(() => undefined);
    },
  };
}
