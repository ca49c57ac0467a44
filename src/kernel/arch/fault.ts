/**
 * @module kernel/arch/fault
 * The errors every translator throws: an address nothing maps, and a page table the dump
 * does not hold (`absent`: the mapping may exist, the dump cannot tell).
 */
import { hex } from "../../dump/paged-memory.js";
import { CrashlensError } from "../../errors.js";

export function fault(address: bigint, why: string): CrashlensError {
  return new CrashlensError("fault", `virtual address ${hex(address)} ${why}`, {
    address,
    space: "virtual",
  });
}

export function tableAbsent(address: bigint, table: bigint, cause: unknown): CrashlensError {
  return new CrashlensError(
    "fault",
    `virtual address ${hex(address)}: page table at ${hex(table)} is not in the dump`,
    { address, space: "virtual", absent: true, cause },
  );
}
