/**
 * @module agent/payload
 * What an agent sends for a file: a dump (told by its signature, as `crashlens analyze` tells
 * it, whatever its name) goes as `application/octet-stream` — first reduced to a minimal dump
 * when it is large, since a full vmcore holds gigabytes of memory the server does not need and
 * should not receive; anything else goes as text.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { DETECT_HEAD_BYTES, detectDump } from "../dump/detect.js";
import { CrashlensError } from "../errors.js";
import type { CrashlensClient, SubmitMeta, SubmitResult } from "./client.js";

/** Dumps up to this size are sent whole: an extract is already this small or smaller. */
export const EXTRACT_ABOVE_BYTES = 32 << 20;

export type FileKind = "dump" | "text";

/** How a file is opened: `noFollow` refuses a link (ELOOP) instead of reading its target. */
export interface FileAccess {
  noFollow?: boolean;
}

/** open(2) flags for reading a file as `access` asks */
export const readFlags = (access: FileAccess = {}): number =>
  constants.O_RDONLY | (access.noFollow ? constants.O_NOFOLLOW : 0);

/** Whether a file is a dump or text, from its first bytes; throws when it cannot be read. */
export async function kindOfFile(
  path: string,
  access: FileAccess = {},
): Promise<{ kind: FileKind; size: number }> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, readFlags(access));
    const info = await handle.stat();
    if (!info.isFile()) throw new CrashlensError("usage", `${path}: not a regular file`, { path });
    const head = new Uint8Array(DETECT_HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const kind = detectDump(head.subarray(0, bytesRead)) === undefined ? "text" : "dump";
    return { kind, size: info.size };
  } catch (error) {
    if (error instanceof CrashlensError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CrashlensError("os", `cannot read ${path} (${code})`, { path, cause: error });
  } finally {
    await handle?.close();
  }
}

export interface SendOptions extends FileAccess {
  /** dumps larger than this are reduced first (default EXTRACT_ABOVE_BYTES) */
  extractAboveBytes?: number;
  /** told about each reduction, for the agent's log */
  onExtracted?: (path: string, fromBytes: number, toBytes: number) => void;
}

/** What was sent for a file and what the server said. */
export interface Sent {
  kind: FileKind;
  /** a large dump was reduced to a minimal one before sending */
  extracted: boolean;
  result: SubmitResult;
}

/** Sends one file as what it is. */
export async function sendFile(
  client: CrashlensClient,
  path: string,
  meta: SubmitMeta,
  options: SendOptions = {},
): Promise<Sent> {
  const access: FileAccess = { noFollow: options.noFollow ?? false };
  const { kind, size } = await kindOfFile(path, access);
  if (kind === "text")
    return { kind, extracted: false, result: await client.submitTextFile(path, meta, access) };
  const named = { ...meta, name: meta.name ?? basename(path) };
  if (size <= (options.extractAboveBytes ?? EXTRACT_ABOVE_BYTES))
    return { kind, extracted: false, result: await client.submitDump(path, named, access) };
  const { extractMinimalDump } = await import("../extract-dump.js");
  const minimal = await extractMinimalDump(path);
  options.onExtracted?.(path, size, minimal.bytes.length);
  // streamed from a file like any dump, so a retry can send it again
  const temporary = join(tmpdir(), `crashlens-extract-${randomBytes(6).toString("hex")}.kdump`);
  try {
    await writeFile(temporary, minimal.bytes, { mode: 0o600 });
    return { kind, extracted: true, result: await client.submitDump(temporary, named) };
  } finally {
    await rm(temporary, { force: true });
  }
}
