import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Btf } from "../../kernel/btf/btf.js";
import { sampleBtf } from "../../kernel/btf/test-writer.js";
import { decodeValue } from "../../kernel/btf/value.js";
import {
  formatGdbTopLevel,
  formatGdbValue,
  type GdbPrintOptions,
  stringTargets,
} from "./gdb-value.js";
import { memberTarget, ptypeLines, withOffsets } from "./ptype.js";

const { w, ids } = sampleBtf();
const btf = Btf.parse(w.bytes());

function taskBytes(): Uint8Array {
  const b = new Uint8Array(72);
  const v = new DataView(b.buffer);
  v.setInt32(0, -2, true);
  b[4] = 1 | (50 << 1);
  b[5] = 0x0f;
  v.setBigUint64(8, 0x1122334455667788n, true);
  b.set(Buffer.from("sh", "latin1"), 16);
  v.setUint32(32, 1, true);
  v.setUint32(36, 5 | 8, true);
  v.setBigUint64(40, 0xffff888000001000n, true);
  v.setBigUint64(48, 0xffffffff8157f8c0n, true);
  v.setInt32(56, 7, true);
  v.setInt32(60, -7, true);
  b[68] = 1;
  b[69] = 65;
  return b;
}

const symbolize: GdbPrintOptions["symbolize"] = (address) =>
  address === 0xffffffff8157f8c0n ? "neigh_timer_handler" : undefined;

describe("formatGdbValue: crash's gdb print shapes", () => {
  it("prints a struct as crash's struct command does", () => {
    const value = decodeValue(btf, ids.task, taskBytes());
    const strings = new Map([
      [0xffff888000001000n, { bytes: Buffer.from("kmalloc-64"), terminated: true }],
    ]);
    assert.deepEqual(stringTargets(btf, value), [0xffff888000001000n]);
    const text = formatGdbValue(btf, value, { symbolize, strings });
    assert.equal(
      text,
      [
        "{",
        "  state = -2,",
        "  on_cpu = 1,",
        "  prio = 50,",
        "  neg = -1,",
        "  {",
        "    whole = 1234605616436508552,",
        "    {",
        "      lo = 1432778632,",
        "      hi = 287454020",
        "    }",
        "  },",
        '  comm = "sh\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000",',
        "  type = PIDTYPE_TGID,",
        "  gfp = (GFP_A | GFP_C | unknown: 0x8),",
        '  name = 0xffff888000001000 "kmalloc-64",',
        "  timer_fn = 0xffffffff8157f8c0 <neigh_timer_handler>,",
        "  vals = {7, -7, 0},",
        "  dead = true,",
        "  level = 65 'A'",
        "}",
      ].join("\n"),
    );
  });

  it("uses output radix 16 for integers but keeps names, chars and strings", () => {
    const value = decodeValue(btf, ids.task, taskBytes());
    const text = formatGdbValue(btf, value, { radix: 16, symbolize });
    assert.match(text, /state = 0xfffffffe,/);
    assert.match(text, /type = PIDTYPE_TGID,/);
    assert.match(text, /dead = 0x1,/);
    assert.match(text, /level = 0x41 'A'/);
    assert.match(text, /comm = "sh\\000/);
    assert.match(text, /timer_fn = 0xffffffff8157f8c0 <neigh_timer_handler>/);
  });

  it("prints p/x as gdb: every scalar in hex, char arrays as arrays, no symbols", () => {
    const value = decodeValue(btf, ids.task, taskBytes());
    const text = formatGdbValue(btf, value, { format: "x", symbolize });
    assert.match(text, /comm = \{0x73, 0x68, 0x0, /);
    assert.match(text, /timer_fn = 0xffffffff8157f8c0,/);
    assert.match(text, /type = 0x1,/);
    assert.match(text, /vals = \{0x7, 0xfffffff9, 0x0\}/);
  });

  it("collapses runs only past the repeat threshold (gdb's 10; crash never)", () => {
    const zeros = decodeValue(btf, ids.charArray, new Uint8Array(16));
    assert.equal(formatGdbValue(btf, zeros), `"${"\\000".repeat(15)}"`);
    assert.equal(formatGdbValue(btf, zeros, { repeatThreshold: 10 }), "'\\000' <repeats 15 times>");
    const sh = decodeValue(btf, ids.charArray, Buffer.from("sh\0\0\0\0\0\0\0\0\0\0\0\0\0\0"));
    assert.equal(
      formatGdbValue(btf, sh, { repeatThreshold: 10 }),
      `"sh", '\\000' <repeats 13 times>`,
    );
    const ints = decodeValue(btf, ids.intArray, new Uint8Array(12));
    assert.equal(formatGdbValue(btf, ints, { repeatThreshold: 2 }), "{0 <repeats 3 times>}");
    assert.equal(formatGdbValue(btf, ints, { printMax: 2 }), "{0, 0...}");
  });

  it("escapes as gdb: named escapes, octal, quotes, a digit after an octal escape", () => {
    const bytes = Buffer.from([
      0x41, 0x0a, 0x22, 0x5c, 0x01, 0x37, 0xff, 0x41, 0x09, 0x27, 0, 0, 0, 0, 0, 0,
    ]);
    const value = decodeValue(btf, ids.charArray, bytes);
    assert.equal(
      formatGdbValue(btf, value),
      '"A\\n\\"\\\\\\001\\067\\377A\\t\'\\000\\000\\000\\000\\000"',
    );
  });

  it("puts (type) before a top-level pointer, not before a char *", () => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, 0xffff888000002000n, true);
    const ptr = decodeValue(btf, ids.timerPtr, bytes);
    assert.equal(formatGdbTopLevel(btf, ptr), "(struct timer_list *) 0xffff888000002000");
    const charPtr = decodeValue(btf, ids.charPtr, new Uint8Array(8));
    assert.equal(formatGdbTopLevel(btf, charPtr), "0x0");
    const fn = decodeValue(
      btf,
      ids.fnPtr,
      Uint8Array.from([0xc0, 0xf8, 0x57, 0x81, 0xff, 0xff, 0xff, 0xff]),
    );
    assert.equal(
      formatGdbTopLevel(btf, fn, { symbolize }),
      "(void (*)(struct timer_list *)) 0xffffffff8157f8c0 <neigh_timer_handler>",
    );
  });

  it("reports an unreadable string as gdb does", () => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, 0xdead000000000100n, true);
    const value = decodeValue(btf, ids.charPtr, bytes);
    const strings = new Map([
      [
        0xdead000000000100n,
        { bytes: new Uint8Array(0), terminated: false, error: 0xdead000000000100n },
      ],
    ]);
    assert.equal(
      formatGdbValue(btf, value, { strings }),
      "0xdead000000000100 <error: Cannot access memory at address 0xdead000000000100>",
    );
  });
});

describe("ptype and crash's struct -o", () => {
  it("writes a definition with anonymous members and bitfields", () => {
    assert.deepEqual(ptypeLines(btf, ids.task), [
      "struct task {",
      "    int state;",
      "    unsigned int on_cpu : 1;",
      "    int prio : 7;",
      "    int neg : 4;",
      "    union {",
      "        long unsigned int whole;",
      "        struct {",
      "            u32 lo;",
      "            u32 hi;",
      "        };",
      "    };",
      "    char comm[16];",
      "    enum pid_type type;",
      "    enum gfp_flags gfp;",
      "    char *name;",
      "    void (*timer_fn)(struct timer_list *);",
      "    int vals[3];",
      "    _Bool dead;",
      "    u8 level;",
      "}",
    ]);
  });

  it("adds offsets right-aligned to the width of the size", () => {
    const lines = withOffsets(btf, ids.timer, ptypeLines(btf, ids.timer), { size: 40, radix: 10 });
    assert.deepEqual(lines, [
      "struct timer_list {",
      "   [0] struct list_head entry;",
      "  [16] long unsigned int expires;",
      "  [24] void (*function)(struct timer_list *);",
      "  [32] u32 flags;",
      "}",
    ]);
    const task = withOffsets(btf, ids.task, ptypeLines(btf, ids.task), { size: 72, radix: 10 });
    assert.equal(task[2], "   [4] unsigned int on_cpu : 1;");
    assert.equal(task[5], "       union {");
    assert.equal(task[6], "   [8]     long unsigned int whole;");
    assert.equal(task[9], "  [12]         u32 hi;");
    const one = withOffsets(btf, ids.timer, ptypeLines(btf, ids.timer), {
      size: 40,
      radix: 10,
      member: "function",
    });
    assert.deepEqual(one, [
      "struct timer_list {",
      "  [24] void (*function)(struct timer_list *);",
      "}",
    ]);
  });

  it("picks member names out of lines as crash does", () => {
    assert.equal(memberTarget("    void (*function)(struct timer_list *);"), "function");
    assert.equal(memberTarget("    unsigned int on_cpu : 1;"), "on_cpu");
    assert.equal(memberTarget("    char comm[16];"), "comm");
    assert.equal(memberTarget("    };"), undefined);
    assert.equal(memberTarget("    union {"), undefined);
  });
});

describe("printing any bytes as any sample type", () => {
  it("never throws, whatever the bytes and options", async () => {
    const fc = (await import("fast-check")).default;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 72, maxLength: 72 }),
        fc.constantFrom<GdbPrintOptions>(
          {},
          { radix: 16 },
          { format: "x" },
          { format: "d" },
          { format: "o" },
          { format: "t" },
          { format: "c" },
          { format: "a" },
          { format: "z" },
          { repeatThreshold: 10, printMax: 200 },
        ),
        (bytes, options) => {
          for (let id = 1; id < btf.count; id++) {
            const size = btf.sizeof(id);
            if (size === undefined || size > bytes.length) continue;
            formatGdbValue(btf, decodeValue(btf, id, bytes, { address: 0xffff888000000000n }), {
              ...options,
              symbolize,
            });
          }
        },
      ),
      { seed: 99, numRuns: 300 },
    );
  });
});
