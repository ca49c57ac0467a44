/**
 * @module cli/commands/token
 * `crashlens token create --role ROLE --name NAME`, `token list`, `token revoke ID`: the API
 * tokens of a store. A secret is printed once, when made; the store keeps its SHA-256 only.
 */
import type { Command } from "commander";
import type { Store, TokenRole } from "../../store/types.js";
import { tokenRoles } from "../../store/types.js";
import { EXIT_NOTHING, UsageError } from "../exit.js";
import type { CliIo } from "../io.js";
import { writeOut } from "../io.js";
import { escapeControls } from "../render/safe.js";
import type { CliCommand } from "./index.js";
import { type StoreFlags, storeLocation, storeOption } from "./store-option.js";

async function withStore<T>(
  io: CliIo,
  flags: StoreFlags,
  use: (store: Store) => Promise<T>,
): Promise<T> {
  const { openStore } = await import("../../store/open.js");
  const store = await openStore(storeLocation(flags, io.env));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

export const tokenCommand: CliCommand = {
  register(program: Command, { io, setExitCode }) {
    const token = program
      .command("token")
      .description("the API tokens of a store: create (secret shown once), list, revoke");
    storeOption(
      token
        .command("create")
        .description("make a token; its secret is printed once and never stored")
        .requiredOption("--role <role>", `what it may do: ${tokenRoles.join(", ")}`)
        .requiredOption("--name <name>", "who or what it is for (unique)"),
    ).action(async (flags: { role: string; name: string; store?: string }) => {
      if (!(tokenRoles as readonly string[]).includes(flags.role))
        throw new UsageError(`--role must be one of ${tokenRoles.join(", ")}`);
      const { newTokenSecret, tokenHash } = await import("../../server/auth.js");
      const secret = newTokenSecret();
      const info = await withStore(io, flags, (store) =>
        store.createToken({
          name: flags.name,
          role: flags.role as TokenRole,
          hash: tokenHash(secret),
        }),
      );
      io.stderr.write(
        `crashlens: token ${info.id} "${escapeControls(info.name)}" (${info.role}) created; its secret is shown only now:\n`,
      );
      await writeOut(io.stdout, `${secret}\n`);
    });
    storeOption(
      token
        .command("list")
        .description("the tokens: id, role, when made, name (never the secrets)"),
    ).action(async (flags: StoreFlags) => {
      const tokens = await withStore(io, flags, (store) => store.listTokens());
      const lines = tokens.map(
        (t) =>
          `${String(t.id).padStart(4)}  ${t.role.padEnd(6)}  ${t.createdAt}  ${escapeControls(t.name)}`,
      );
      await writeOut(
        io.stdout,
        tokens.length === 0
          ? "no tokens (the server runs in local mode: loopback only, no token needed)\n"
          : `${"ID".padStart(4)}  ROLE    CREATED                   NAME\n${lines.join("\n")}\n`,
      );
    });
    storeOption(
      token
        .command("revoke")
        .description("delete a token: requests with its secret are refused from now on")
        .argument("<id>", "the token's id (token list)"),
    ).action(async (id: string, flags: StoreFlags) => {
      if (!/^\d+$/.test(id))
        throw new UsageError(`a token id is a number, not ${JSON.stringify(id)}`);
      const revoked = await withStore(io, flags, (store) => store.revokeToken(Number(id)));
      if (revoked) await writeOut(io.stdout, `revoked token ${id}\n`);
      else {
        io.stderr.write(`crashlens: no token ${id}\n`);
        setExitCode(EXIT_NOTHING);
      }
    });
  },
};
