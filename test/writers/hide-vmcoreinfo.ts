/**
 * @module test/writers/hide-vmcoreinfo
 * A view of a real dump as if it had been taken without VMCOREINFO (QEMU without
 * `-device vmcoreinfo`): the note and the raw text are hidden, everything else passes through.
 */
import type { Dump } from "../../src/dump/types.js";

export function hideVmcoreinfo(dump: Dump): Dump {
  const notes = dump.notes.filter((n) => n.name !== "VMCOREINFO");
  return new Proxy(dump, {
    get(target, key) {
      if (key === "vmcoreinfo") return undefined;
      if (key === "notes") return notes;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
