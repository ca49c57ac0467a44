/**
 * @module server/start
 * `startServer`: the app of `app.ts` listening on a socket. Local mode (every request admin)
 * needs a loopback address; listening further without a token in the store is refused here,
 * not only by the `serve` command, so no caller can expose an open store by mistake.
 */
import { isIP } from "node:net";
import { type AppOptions, buildApp } from "./app.js";

/** The app's options but local mode, which follows from the address listened on. */
export interface ServerOptions extends Omit<AppOptions, "loopback" | "analyzer"> {
  /** default "127.0.0.1" */
  host?: string;
  /** default 8080; 0 = any free port */
  port?: number;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** True for the names and addresses that reach only this machine. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1" || bare.startsWith("::ffff:127.");
}

/** Thrown when the server would listen beyond loopback with no token to guard it. */
export class OpenServerError extends Error {
  override name = "OpenServerError";
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const loopback = isLoopback(host);
  if (!loopback && (await options.store.listTokens()).length === 0)
    throw new OpenServerError(
      `refusing to listen on ${host} with no API token in the store: anyone could read and change it. ` +
        "Create one first (crashlens token create --role admin --name NAME), or listen on 127.0.0.1",
    );
  const app = await buildApp({ ...options, loopback });
  try {
    await app.listen({ host, port: options.port ?? 8080 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 8080);
  const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return { url: `http://${shown}:${port}`, close: () => app.close() };
}
