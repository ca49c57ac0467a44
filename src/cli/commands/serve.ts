/**
 * @module cli/commands/serve
 * `crashlens serve [--store PATH|postgres://…] [--listen HOST:PORT] [--max-body BYTES]
 * [--max-dump BYTES] [--rate-limit N/MIN|off]`: the fleet service (API and web UI) until
 * SIGINT or SIGTERM. With no token in the store it runs in local mode (loopback only, every
 * request admin) and refuses any other address, naming the command that makes a token.
 */
import type { Command } from "commander";
import { UsageError } from "../exit.js";
import { writeOut } from "../io.js";
import { escapeControls } from "../render/safe.js";
import type { CliCommand } from "./index.js";
import { type StoreFlags, storeLocation, storeOption } from "./store-option.js";

interface ServeFlags extends StoreFlags {
  listen: string;
  maxBody?: string;
  maxDump?: string;
  rateLimit: string;
  analysis: string;
}

const analyses = ["workers", "in-process"] as const;

/** Why a socket could not be opened, in words (anything else is reported as it is). */
const listenErrors: Record<string, string> = {
  EADDRINUSE: "the address is in use (another server, or another crashlens serve?)",
  EACCES: "permission denied (ports below 1024 need privileges)",
  EADDRNOTAVAIL: "this machine has no such address",
};

/** "HOST:PORT", "[IPv6]:PORT" or ":PORT" (loopback). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new UsageError(
      `--listen takes HOST:PORT (e.g. 127.0.0.1:8080), not ${JSON.stringify(text)}`,
    );
  return { host: match[1] ?? (match[2] || "127.0.0.1"), port };
}

function parseBytes(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)([kKmMgG]?)(?:i?[bB])?$/.exec(text.trim());
  if (!match)
    throw new UsageError(
      `${flag} takes a size in bytes (e.g. 8388608 or 8M), not ${JSON.stringify(text)}`,
    );
  const scale = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
    (match[2] ?? "").toLowerCase() as "" | "k" | "m" | "g"
  ];
  const bytes = Number(match[1]) * scale;
  if (bytes < 1) throw new UsageError(`${flag} must be at least 1 byte`);
  return bytes;
}

/** "N/MIN" (or "N/min", "N") requests a minute per token or address; "off" for none. */
export function parseRateLimit(text: string): { max: number; windowMs: number } | false {
  if (text === "off") return false;
  const match = /^(\d+)(?:\/min)?$/i.exec(text.trim());
  const max = Number(match?.[1]);
  if (!match || max < 1)
    throw new UsageError(
      `--rate-limit takes N/min (requests a minute) or off, not ${JSON.stringify(text)}`,
    );
  return { max, windowMs: 60_000 };
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

export const serveCommand: CliCommand = {
  register(program: Command, { io }) {
    storeOption(
      program
        .command("serve")
        .description("run the fleet service: the HTTP API and the web UI over a store of reports"),
    )
      .option("--listen <host:port>", "the address to listen on", "127.0.0.1:8080")
      .option("--max-body <bytes>", "the largest text body (default 8M)")
      .option("--max-dump <bytes>", "the largest dump upload (default 256M)")
      .option(
        "--rate-limit <n/min|off>",
        "API requests a minute per token and client address: each machine of a fleet sharing " +
          "one token has its own budget; callers without a valid token, per address",
        "600/min",
      )
      .option(
        "--analysis <where>",
        "where logs are analysed: workers (threads, one per CPU) or in-process (the event loop)",
        "workers",
      )
      .action(async (flags: ServeFlags) => {
        if (!(analyses as readonly string[]).includes(flags.analysis))
          throw new UsageError(`--analysis must be one of ${analyses.join(", ")}`);
        const { host, port } = parseListen(flags.listen);
        const maxBodyBytes = parseBytes("--max-body", flags.maxBody);
        const maxDumpBytes = parseBytes("--max-dump", flags.maxDump);
        const rateLimit = parseRateLimit(flags.rateLimit);
        const { describeStore, openStore } = await import("../../store/open.js");
        const { OpenServerError, startServer } = await import("../../server/start.js");
        const location = storeLocation(flags, io.env);
        // never the URL itself: it may hold a password
        const shownStore = escapeControls(describeStore(location));
        const store = await openStore(location, maxBodyBytes ? { maxBodyBytes } : {});
        try {
          const tokens = (await store.listTokens()).length;
          const server = await startServer({
            store,
            host,
            port,
            ...(maxBodyBytes ? { maxBodyBytes } : {}),
            ...(maxDumpBytes ? { maxDumpBytes } : {}),
            rateLimit,
            analysis: flags.analysis as (typeof analyses)[number],
          }).catch((error: NodeJS.ErrnoException) => {
            // startServer is the one place that refuses an open store beyond loopback
            if (error instanceof OpenServerError)
              throw new UsageError(`${error.message}\n(the store: ${shownStore})`);
            const why = listenErrors[error.code ?? ""];
            throw why ? new UsageError(`cannot listen on ${flags.listen}: ${why}`) : error;
          });
          const mode =
            tokens === 0
              ? "local mode: no API token in the store, so every request from this machine is admin"
              : `${tokens} API ${tokens === 1 ? "token" : "tokens"}: requests need Authorization: Bearer <token>`;
          // new reports of a bug would start new clusters beside the old-rules ones
          const stale = await store.staleClusters();
          if (stale > 0)
            io.stderr.write(
              `crashlens serve: warning: ${stale} ${stale === 1 ? "cluster was" : "clusters were"} grouped by older clustering rules; \`crashlens recluster\` with the same --store regroups them (statuses and notes are kept)\n`,
            );
          await writeOut(
            io.stdout,
            `crashlens serve: ${shownStore}\n${mode}\nopen ${server.url}/\n`,
          );
          const signal = await stopSignal();
          io.stderr.write(`crashlens serve: ${signal}, closing\n`);
          await server.close();
        } finally {
          await store.close();
        }
      });
  },
};
