/**
 * @module shell/memory
 * Memory reads for commands, with crash's one-line failures: a read that meets a page the dump
 * does not hold says `page excluded: kernel virtual address: ffff…  type: "64-bit KVADDR"`, an
 * address nothing maps says `invalid kernel virtual address: …`, naming the first address that
 * failed (reads go page by page, so what came before it is still returned to `onPartial`).
 */
import { isCrashlensError } from "../errors.js";
import type { Kernel } from "../kernel/kernel.js";
import { ShellCommandError } from "./command.js";

export type AddressSpace = "kernel virtual" | "physical";

export interface ReadRequest {
  space: AddressSpace;
  /** what is being read, as crash names it in messages: "64-bit KVADDR", "gdb_readmem_callback" */
  type: string;
}

const PAGE = 4096n;

/** The crash-shaped line for a failed read at `address` (without the command name). */
export function faultMessage(error: unknown, address: bigint, request: ReadRequest): string {
  const where = `${request.space} address: ${address.toString(16)}  type: "${request.type}"`;
  if (!isCrashlensError(error)) return `read error: ${where}`;
  if (error.code === "fault") {
    if (/never written|incomplete/.test(error.message)) return `page incomplete: ${where}`;
    if (error.details.absent === true) return `page excluded: ${where}`;
    if (error.details.space === "virtual" && request.space === "kernel virtual")
      return `invalid kernel virtual address: ${address.toString(16)}  type: "${request.type}"`;
  }
  return `read error: ${where}`;
}

/**
 * Reads `length` bytes, page by page. On a failure, `onPartial` (if given) receives the bytes
 * read before the failing page, then a ShellCommandError with crash's message is thrown.
 */
export async function readMemory(
  kernel: Kernel,
  address: bigint,
  length: number,
  request: ReadRequest,
  onPartial?: (bytes: Uint8Array) => void,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const at = address + BigInt(done);
    const take = Math.min(length - done, Number(PAGE - (at % PAGE)));
    try {
      const bytes =
        request.space === "physical"
          ? await kernel.dump.readPhysical(at, take)
          : await kernel.memory.read(at, take);
      out.set(bytes, done);
    } catch (error) {
      if (!isCrashlensError(error)) throw error;
      onPartial?.(out.subarray(0, done));
      throw new ShellCommandError(faultMessage(error, at, request));
    }
    done += take;
  }
  return out;
}
