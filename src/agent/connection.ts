/**
 * @module agent/connection
 * Which server an agent talks to and with which token: the command-line flag first, then the
 * environment (`CRASHLENS_SERVER`, `CRASHLENS_TOKEN`), then the default of a local `serve`.
 */
import { CrashlensError } from "../errors.js";

export const DEFAULT_SERVER = "http://127.0.0.1:8080";

export interface Connection {
  /** the server's base URL, without a trailing slash */
  server: string;
  token?: string;
}

export function resolveConnection(
  flags: { server?: string; token?: string },
  env: NodeJS.ProcessEnv,
): Connection {
  const raw = flags.server ?? env.CRASHLENS_SERVER ?? DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CrashlensError("usage", `--server ${raw} is not a URL (e.g. ${DEFAULT_SERVER})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new CrashlensError("usage", `--server ${raw}: only http:// and https:// are spoken`);
  const token = flags.token ?? env.CRASHLENS_TOKEN;
  // a bearer token is printable ASCII (RFC 6750 b64token): anything else is a paste gone wrong
  if (token !== undefined && token !== "" && !/^[A-Za-z0-9._~+/-]+=*$/.test(token))
    throw new CrashlensError(
      "usage",
      "the token holds characters no token has (spaces, quotes, line breaks?): check --token or CRASHLENS_TOKEN",
    );
  const server = url.href.replace(/\/+$/, "");
  return token === undefined || token === "" ? { server } : { server, token };
}
