/**
 * @module server/upload
 * Dumps (`application/octet-stream`) are never held in memory: the body is streamed to a
 * temporary file, counting bytes as they come, and the upload stops with a 413 (the partial
 * file removed) as soon as it passes the limit, or before it starts when Content-Length
 * already says so. Bytes that are no dump get a 415 (logs are sent as text). Each upload has
 * a folder of its own, made when it starts and removed with it, named after the server's
 * process: a server killed outright leaves at most the uploads it was receiving, and the next
 * server to start in that folder removes them (`sweepAbandonedUploads`).
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, open, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DETECT_HEAD_BYTES, detectDump } from "../dump/detect.js";
import { ApiError, tooLargeMessage } from "./errors.js";

const UPLOAD_PREFIX = "crashlens-upload-";

/** True while a process with this id runs (EPERM: it runs, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the upload folders in `tempDir` whose server process is gone (killed mid-upload).
 * Folders of running servers, and ones this user may not remove, are left; returns how many
 * were removed.
 */
export async function sweepAbandonedUploads(tempDir: string): Promise<number> {
  const pattern = new RegExp(`^${UPLOAD_PREFIX}(\\d+)-`);
  let removed = 0;
  for (const name of await readdir(tempDir).catch(() => [] as string[])) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!pid || pid === process.pid || running(pid)) continue;
    try {
      await rm(join(tempDir, name), { recursive: true, force: true });
      removed++;
    } catch {
      // another user's, or already gone
    }
  }
  return removed;
}

/** A dump received into a temporary file, in a folder of its own. */
export class DumpUpload {
  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {}

  /** Removes the file and its folder; removing twice is harmless. */
  remove(): Promise<void> {
    return rm(dirname(this.path), { recursive: true, force: true });
  }
}

export interface ReceiveOptions {
  contentLength: string | undefined;
  maxBytes: number;
  /** where the upload's folder is made */
  tempDir: string;
}

/** Streams `body` to a new temporary file, at most `maxBytes`, and checks it is a dump. */
export async function receiveDump(
  body: NodeJS.ReadableStream,
  { contentLength, maxBytes, tempDir }: ReceiveOptions,
): Promise<DumpUpload> {
  if (contentLength !== undefined && Number(contentLength) > maxBytes)
    throw new ApiError(413, "too-large", tooLargeMessage("dump", maxBytes));
  const folder = await mkdtemp(join(tempDir, `${UPLOAD_PREFIX}${process.pid}-`));
  const upload = new DumpUpload(join(folder, "upload.dump"), 0);
  try {
    const bytes = await writeLimited(body, upload.path, maxBytes);
    await requireDump(upload.path);
    return new DumpUpload(upload.path, bytes);
  } catch (error) {
    await upload.remove();
    throw error;
  }
}

/** The 415 for bytes no dump reader knows: the agent then sends the log as text. */
async function requireDump(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    const head = new Uint8Array(DETECT_HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (detectDump(head.subarray(0, bytesRead)) === undefined)
      throw new ApiError(
        415,
        "unsupported-media-type",
        "the body is not a kdump-compressed, flattened or ELF dump: send logs as text/plain",
      );
  } finally {
    await handle.close();
  }
}

/**
 * Writes the stream to `path` until it ends or passes `maxBytes`. Past the limit the rest of
 * the request is read and dropped rather than the connection cut: a client still sending
 * would otherwise see a reset instead of the 413 that explains it.
 */
function writeLimited(
  body: NodeJS.ReadableStream,
  path: string,
  maxBytes: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const file = createWriteStream(path, { flags: "wx" });
    let bytes = 0;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      body.removeListener("data", onData);
      body.on("data", () => {});
      body.resume();
      // rejected once the file is closed: the caller's removal must come after its creation
      file.once("close", () => reject(error));
      file.destroy();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes)
        return fail(new ApiError(413, "too-large", tooLargeMessage("dump", maxBytes)));
      if (!file.write(chunk)) {
        body.pause();
        file.once("drain", () => body.resume());
      }
    };
    body.on("data", onData);
    body.once("error", fail);
    file.once("error", fail);
    body.once("end", () => {
      if (!failed) file.end(() => resolve(bytes));
    });
  });
}
