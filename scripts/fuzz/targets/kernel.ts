/**
 * Targets over src/kernel: VMCOREINFO text, kallsyms tables in memory, and the three printk
 * ring generations (the real lockless ring of a lab dump, and structured and plain rings
 * built in code), with both the memory and the VMCOREINFO layout lines mutated. The readers
 * are called directly: `KernelView.readLog` turns any exception into a warning, which would
 * hide a TypeError.
 */
import fc from "fast-check";
import { Kallsyms } from "../../../src/kernel/kallsyms.js";
import { hasLegacy, readLegacy } from "../../../src/kernel/printk/log-buf.js";
import { hasLockless, readLockless } from "../../../src/kernel/printk/prb.js";
import { hasStructured, readStructured } from "../../../src/kernel/printk/printk-log.js";
import { parseVmcoreinfo } from "../../../src/kernel/vmcoreinfo.js";
import { vmcoreinfoSeed } from "../corpus.js";
import {
  type KernelImage,
  kallsymsImage,
  legacyImage,
  locklessImage,
  structuredImage,
} from "../kernel-images.js";
import { logLine } from "../log-grammar.js";
import { applyByteOps, type ByteOp, byteOps, extremeValues } from "../mutate-bytes.js";
import { applyTextOps, textOp } from "../mutate-text.js";
import { defineTarget } from "../target.js";

const realInfo = vmcoreinfoSeed();
const lockless = await locklessImage();

/** A VMCOREINFO line's value replaced (extreme numbers, junk) or the line dropped. */
const infoOp = fc.record({
  line: fc.nat(),
  value: fc.oneof(
    fc.constantFrom(...extremeValues).map((v) => String(v)),
    fc.constantFrom(...extremeValues).map((v) => v.toString(16)),
    fc.constantFrom("-1", "-4096", "", "0x", "zz", "1e9", "9".repeat(40), "0x8000000000000000"),
    fc.integer({ min: -64, max: 4096 }).map(String),
  ),
  drop: fc.boolean(),
});
type InfoOp = typeof infoOp extends fc.Arbitrary<infer T> ? T : never;

function applyInfoOps(text: string, ops: readonly InfoOp[]): string {
  const lines = text.split("\n");
  for (const op of ops) {
    const at = op.line % lines.length;
    const line = lines[at] as string;
    if (op.drop) lines.splice(at, 1);
    else lines[at] = `${line.slice(0, Math.max(0, line.indexOf("=")))}=${op.value}`;
  }
  return lines.join("\n");
}

const kernelLine = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("SYMBOL", "OFFSET", "SIZE", "LENGTH", "NUMBER", "X", ""),
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 24 }),
    )
    .map(([k, n, v]) => `${k}(${n})=${v}`),
  fc
    .tuple(
      fc.constantFrom("PAGESIZE", "KERNELOFFSET", "CRASHTIME", "OSRELEASE", "BUILD-ID", "CONFIG_X"),
      fc.string({ maxLength: 24 }),
    )
    .map(([k, v]) => `${k}=${v}`),
  logLine,
);

interface ImageMutation {
  image: KernelImage;
  memoryOps: ByteOp[];
  infoOps: InfoOp[];
}

function mutated({ image, memoryOps, infoOps }: ImageMutation) {
  const bytes = applyByteOps(image.memory.image, memoryOps, image.slots);
  // memory keeps its page count: insertions and deletions shift bytes, not pages
  const fitted = new Uint8Array(image.memory.image.length);
  fitted.set(bytes.subarray(0, fitted.length));
  const info = parseVmcoreinfo(applyInfoOps(image.vmcoreinfo, infoOps));
  return image.memory.withImage(fitted).logSource(info);
}

const texts = fc.array(fc.oneof(logLine, fc.string({ unit: "binary", maxLength: 300 })), {
  maxLength: 40,
});
const imageMutation = (image: fc.Arbitrary<KernelImage>) =>
  fc.record({
    image,
    memoryOps: fc.array(
      byteOps(true).map((ops) => ops[0] as ByteOp),
      { maxLength: 6 },
    ),
    infoOps: fc.array(infoOp, { maxLength: 3 }),
  });

const readers = {
  lockless: { present: hasLockless, read: readLockless },
  structured: { present: hasStructured, read: readStructured },
  legacy: { present: hasLegacy, read: readLegacy },
};

export const kernelTargets = [
  defineTarget({
    name: "kernel-vmcoreinfo",
    about: "parseVmcoreinfo on the real nullread VMCOREINFO mutated, and on generated lines",
    arbitrary: fc.oneof(
      fc
        .tuple(fc.array(infoOp, { maxLength: 6 }), fc.array(textOp, { maxLength: 4 }))
        .map(([info, ops]) => applyTextOps(applyInfoOps(realInfo, info), ops)),
      fc.array(kernelLine, { maxLength: 40 }).map((l) => l.join("\n")),
    ),
    run(text) {
      parseVmcoreinfo(text);
    },
    materialize: (text) => text,
  }),
  defineTarget({
    name: "kernel-kallsyms",
    about: "Kallsyms.load on kallsyms tables built in code, tables and VMCOREINFO mutated",
    arbitrary: imageMutation(
      fc
        .array(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 40 })
        .map((n) => kallsymsImage(n)),
    ),
    async run(m) {
      const source = mutated(m);
      const symbols = await Kallsyms.load(source.info, source.read);
      if (symbols !== undefined) {
        symbols.symbolize(0xffffffff81000010n);
        symbols.lookup("_stext");
        for (const _ of symbols.symbols()) {
          // walking is the test
        }
      }
    },
  }),
  defineTarget({
    name: "kernel-printk",
    about: "readLockless (real lab ring), readStructured and readLegacy (rings built in code)",
    arbitrary: fc.oneof(
      imageMutation(fc.constant(lockless)).map((m) => ({ reader: "lockless" as const, m })),
      imageMutation(
        fc.tuple(texts, fc.integer({ min: 1, max: 3 })).map(([t, p]) => structuredImage(t, p)),
      ).map((m) => ({ reader: "structured" as const, m })),
      imageMutation(
        fc
          .tuple(
            texts,
            fc.integer({ min: 1, max: 3 }),
            fc.oneof(fc.nat({ max: 20000 }), fc.constantFrom(0, 0xffffffff)),
          )
          .map(([t, p, end]) => legacyImage(t.join("\n"), p, end)),
      ).map((m) => ({ reader: "legacy" as const, m })),
    ),
    async run({ reader, m }) {
      const source = mutated(m);
      // as kernel/index.ts chooses: a reader runs only when its symbols are named
      const { present, read } = readers[reader];
      if (present(source)) await read(source);
    },
  }),
];
