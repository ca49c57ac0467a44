/**
 * @module agent/http-post
 * One POST over node:http(s), its body a string or a file streamed from disk. Not fetch:
 * Node 20's fetch keeps every chunk of a streamed request body until the request ends
 * (nodejs/undici#4058; measured here: 389 MB resident to send a 300 MB file, against 105 MB
 * for the same upload piped into node:http), and a vmcore can be gigabytes. The file's size
 * goes in Content-Length, so a server can refuse a body over its limit before reading it.
 */
import { constants, type ReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

/** `noFollow`: a link at `file` is refused (ELOOP), not read through */
export type PostBody = { text: string } | { file: string; noFollow?: boolean };

export interface PostAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** an answer is JSON of a few kB; more is kept out of memory */
const MAX_ANSWER_BYTES = 4 << 20;
/** a socket silent this long is dead (a dump's analysis takes seconds, not minutes) */
const IDLE_TIMEOUT_MS = 5 * 60_000;

/**
 * Sends the request and resolves with the answer, even one that comes before the body is all
 * sent (a 413). Rejects with the socket's error (its `code`: ECONNREFUSED, ECONNRESET...), or
 * with the file's error (its `path`) when the body cannot be read.
 */
export async function httpPost(
  url: URL,
  headers: Record<string, string>,
  body: PostBody,
  signal?: AbortSignal,
): Promise<PostAnswer> {
  let handle: FileHandle | undefined;
  let length: number;
  if ("text" in body) length = Buffer.byteLength(body.text);
  else {
    // opened once: the file checked (not a link) is the file sent
    handle = await openBody(body.file, body.noFollow ?? false);
    length = await sizeOf(handle, body.file);
  }
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<PostAnswer>((resolve, reject) => {
    let source: ReadStream | undefined;
    const request = send(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(length) },
        ...(signal ? { signal } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on("data", (chunk: Buffer) => {
          if (kept + chunk.length <= MAX_ANSWER_BYTES) chunks.push(chunk);
          kept += chunk.length;
        });
        response.on("error", reject);
        response.on("end", () => {
          source?.destroy();
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    request.setTimeout(IDLE_TIMEOUT_MS, () =>
      request.destroy(Object.assign(new Error("no answer"), { code: "ETIMEDOUT" })),
    );
    request.on("error", reject);
    if ("text" in body || handle === undefined) {
      request.end("text" in body ? body.text : "");
      return;
    }
    const file = handle;
    // however the request ends, the file is closed
    request.on("close", () => {
      if (source === undefined) void file.close();
      else source.destroy();
    });
    // the length announced, exactly: a file that grows meanwhile is sent as it was
    if (length === 0) {
      request.end();
      return;
    }
    source = file.createReadStream({ start: 0, end: length - 1, autoClose: true });
    source.on("error", (error) => request.destroy(Object.assign(error, { path: body.file })));
    source.pipe(request);
  });
}

/** errors carry `path`: the client tells the body's file from the network by it */
async function openBody(path: string, noFollow: boolean): Promise<FileHandle> {
  return open(path, constants.O_RDONLY | (noFollow ? constants.O_NOFOLLOW : 0));
}

async function sizeOf(handle: FileHandle, path: string): Promise<number> {
  try {
    return (await handle.stat()).size;
  } catch (error) {
    await handle.close();
    throw Object.assign(error as Error, { path });
  }
}
