/**
 * Our LZO1X against real liblzo, through Debian's python3-lzo (`lzo1x_decompress_safe`,
 * `lzo1x_1_compress`, `lzo1x_999_compress`): liblzo decodes every page we encode (all pages
 * of the lab's makedumpfile LZO dump, plus generated data), and we decode liblzo's LZO1X-1
 * and LZO1X-999 output (999 uses the M1 instructions our encoder never writes).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { shared } from "../../../test/shared.js";
import { lzo1xDecompress } from "./decode.js";
import { lzo1xCompress } from "./encode.js";
import { decodedPages } from "./pages.case.js";

/** records in: u32 number, u32 length, bytes. decompress: number = output size, answers one
 * line per record; compress: number = level, answers u32 length + stream per record */
const PEER = `
import hashlib, lzo, struct, sys
mode, data, at, out = sys.argv[1], sys.stdin.buffer.read(), 0, sys.stdout.buffer
while at < len(data):
    number, length = struct.unpack_from("<II", data, at)
    blob = data[at + 8 : at + 8 + length]
    at += 8 + length
    if mode == "decompress":
        try:
            out.write(("ok " + hashlib.sha256(lzo.decompress(blob, False, number)).hexdigest() + "\\n").encode())
        except Exception as e:
            out.write(("error " + str(e).replace("\\n", " ") + "\\n").encode())
    else:
        stream = lzo.compress(blob, number, False)
        out.write(struct.pack("<I", len(stream)) + stream)
`;

/** python3-lzo is installed for the system python, which may not be the first python3 */
function python(): string {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    if (spawnSync(candidate, ["-c", "import lzo"]).status === 0) return candidate;
  }
  throw new Error("no python3 with the lzo module: install Debian's python3-lzo");
}

function records(items: readonly (readonly [number, Uint8Array])[]): Buffer {
  return Buffer.concat(
    items.flatMap(([number, data]) => {
      const head = Buffer.alloc(8);
      head.writeUInt32LE(number, 0);
      head.writeUInt32LE(data.length, 4);
      return [head, data];
    }),
  );
}

function peer(mode: "decompress" | "compress", input: Buffer): Buffer {
  const run = spawnSync(python(), ["-c", PEER, mode], { input, maxBuffer: 1 << 30 });
  assert.equal(run.status, 0, run.stderr.toString());
  return run.stdout;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

function generated(): Uint8Array[] {
  let x = 7;
  const noise = (n: number) =>
    Uint8Array.from({ length: n }, () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x >>> 24;
    });
  const far = noise(40000);
  const repeated = new Uint8Array(45000);
  repeated.set(far);
  repeated.set(far.subarray(0, 5000), 40000);
  const out = [new Uint8Array(4096), new Uint8Array(65536), noise(4096), repeated];
  for (let n = 1; n < 300; n += 7)
    out.push(
      noise(n),
      noise(n).map((b) => b & 1),
    );
  return out;
}

describe("lzo1x against liblzo (python3-lzo)", () => {
  it("liblzo decodes every page of the lab LZO dump and generated data as we encoded it", async () => {
    const pages = [
      ...(await decodedPages(shared("lab", "dumps", "nullread.kdump-lzo"))).values(),
      ...generated(),
    ];
    const answers = peer("decompress", records(pages.map((p) => [p.length, lzo1xCompress(p)])))
      .toString()
      .trimEnd()
      .split("\n");
    assert.equal(answers.length, pages.length);
    pages.forEach((page, i) => {
      assert.equal(answers[i], `ok ${sha256(page)}`, `input ${i} (${page.length} bytes)`);
    });
  });

  it("we decode liblzo's LZO1X-1 and LZO1X-999 streams", async () => {
    const all = [...(await decodedPages(shared("lab", "dumps", "nullread.kdump-lzo"))).values()];
    const pages = [...all.filter((_, i) => i % 8 === 0), ...generated()];
    for (const level of [1, 9]) {
      const out = peer("compress", records(pages.map((p) => [level, p])));
      let at = 0;
      for (const page of pages) {
        const length = out.readUInt32LE(at);
        const stream = out.subarray(at + 4, at + 4 + length);
        at += 4 + length;
        assert.deepEqual(lzo1xDecompress(stream, page.length), page, `level ${level}`);
      }
      assert.equal(at, out.length);
    }
  });
});
