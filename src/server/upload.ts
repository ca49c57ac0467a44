/**
 * @module server/upload
 * Dumps (`application/octet-stream`) are never held in memory: the body is streamed to a
 * temporary file, counting bytes as they come, and the upload stops with a 413 (the partial
 * file removed) as soon as it passes the limit, or before it starts when Content-Length
 * already says so. The handler gets the file; it is removed when the response is sent.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { ApiError, tooLargeMessage } from "./errors.js";

/** A dump received into a temporary file. */
export class DumpUpload {
  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {}

  remove(): Promise<void> {
    return rm(this.path, { force: true });
  }
}

/** One folder of temporary files per server, removed when it closes. */
export class UploadDir {
  private constructor(readonly path: string) {}

  static async create(parent: string): Promise<UploadDir> {
    return new UploadDir(await mkdtemp(join(parent, "crashlens-uploads-")));
  }

  /** Streams `body` to a new file in the folder, at most `maxBytes`. */
  async receive(
    body: NodeJS.ReadableStream,
    contentLength: string | undefined,
    maxBytes: number,
  ): Promise<DumpUpload> {
    if (contentLength !== undefined && Number(contentLength) > maxBytes)
      throw new ApiError(413, "too-large", tooLargeMessage("dump", maxBytes));
    const path = join(this.path, `${randomBytes(12).toString("hex")}.dump`);
    try {
      const bytes = await writeLimited(body, path, maxBytes);
      return new DumpUpload(path, bytes);
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
  }

  close(): Promise<void> {
    return rm(this.path, { recursive: true, force: true });
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
