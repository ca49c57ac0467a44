/**
 * @module kernel/tasks/list-walk
 * Walks a kernel `struct list_head` ring (include/linux/list.h) without trusting it: every
 * step is bounded, a node seen twice ends the walk (a cycle), a `next` whose `prev` does not
 * point back ends it (a link into freed or reused memory), and an unreadable node ends it.
 * When the forward walk stops early, the ring is walked backwards from `head->prev` to recover
 * the entries past the damage, as CONFIG_DEBUG_LIST would reason about the same links. The
 * result is always a list plus warnings naming the bad link, never a hang.
 */
import type { ReadVirtual } from "../memory.js";

/** pid_max can be 4,194,304 (PID_MAX_LIMIT on 64-bit); no list the shell walks is longer */
export const maxListEntries = 4_194_304 + 8192;

export interface ListWalk {
  /** the addresses of the member `list_head`s, in list order (the head itself excluded) */
  nodes: bigint[];
  /** true when the walk came back to the head with no damaged link */
  complete: boolean;
  warnings: string[];
}

export interface WalkOptions {
  /** what the list is, for warnings ("init_task.tasks") */
  what: string;
  /** the most entries to accept (default `maxListEntries`) */
  limit?: number;
  /** how a node address is shown in warnings (e.g. as the containing task, read from memory) */
  describe?: (node: bigint) => string | Promise<string>;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** next and prev of one list_head, or a reason it could not be read */
async function readLinks(
  read: ReadVirtual,
  node: bigint,
): Promise<{ next: bigint; prev: bigint } | string> {
  if (node === 0n) return "it is NULL";
  if ((node & 7n) !== 0n) return "it is not 8-byte aligned";
  try {
    const bytes = await read(node, 16);
    const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
    return { next: view.getBigUint64(0, true), prev: view.getBigUint64(8, true) };
  } catch (error) {
    return `it is unreadable (${(error as Error).message})`;
  }
}

/** Walks the ring headed at `head`; see the module comment for what stops it. */
export async function walkList(
  read: ReadVirtual,
  head: bigint,
  options: WalkOptions,
): Promise<ListWalk> {
  const limit = options.limit ?? maxListEntries;
  const describe = options.describe ?? hex;
  const name = async (node: bigint) => {
    try {
      return await describe(node);
    } catch {
      return hex(node);
    }
  };
  const warnings: string[] = [];
  const headLinks = await readLinks(read, head);
  if (typeof headLinks === "string") {
    warnings.push(`${options.what}: the list head at ${hex(head)} cannot be walked: ${headLinks}`);
    return { nodes: [], complete: false, warnings };
  }
  const nodes: bigint[] = [];
  const seen = new Set<bigint>([head]);
  let current = head;
  let next = headLinks.next;
  let complete = false;
  while (true) {
    if (next === head) {
      complete = true;
      break;
    }
    if (seen.has(next)) {
      warnings.push(
        `${options.what}: ${current === head ? "the head" : await name(current)} links to ${await name(next)}, which is already in the list (a cycle); the walk stops there`,
      );
      break;
    }
    if (nodes.length >= limit) {
      warnings.push(`${options.what}: more than ${limit} entries; the walk stops there`);
      break;
    }
    const links = await readLinks(read, next);
    if (typeof links === "string") {
      warnings.push(
        `${options.what}: ${current === head ? "the head" : await name(current)} links to ${hex(next)}, but ${links}; the walk stops there`,
      );
      break;
    }
    if (links.prev !== current) {
      warnings.push(
        `${options.what}: ${current === head ? "the head" : await name(current)} links to ${await name(next)}, whose prev is ${hex(links.prev)}, not ${hex(current)} (freed or reused memory?); the walk stops there`,
      );
      break;
    }
    seen.add(next);
    nodes.push(next);
    current = next;
    next = links.next;
  }
  if (complete) return { nodes, complete, warnings };

  // recover what lies beyond the damage by walking the prev links back from the head
  const tail: bigint[] = [];
  let after = head;
  let prev = headLinks.prev;
  while (prev !== head && !seen.has(prev) && nodes.length + tail.length < limit) {
    const links = await readLinks(read, prev);
    if (typeof links === "string" || links.next !== after) break;
    seen.add(prev);
    tail.push(prev);
    after = prev;
    prev = links.prev;
  }
  if (tail.length > 0) {
    warnings.push(
      `${options.what}: ${tail.length} more entr${tail.length === 1 ? "y" : "ies"} recovered by walking the list backwards from its head`,
    );
    nodes.push(...tail.reverse());
  }
  return { nodes, complete: false, warnings };
}
