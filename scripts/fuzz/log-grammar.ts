/**
 * Kernel log lines from a grammar: a prefix (printk timestamp and level, caller id, syslog or
 * journal wrapping, junk in front) and a body from the report grammar (headers, RIP, register
 * lines, Code: lines with odd tokens, trace frames, crash-session lines), each piece with
 * edge cases: negative and huge timestamps, unclosed brackets, control bytes, long runs.
 */
import fc from "fast-check";

const hex = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: min, maxLength: max });
const word = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz_0123456789."),
  minLength: 1,
  maxLength: 12,
});
const odd = fc.string({
  unit: fc.constantFrom(..."[]<>(){}:+/-#?\\\"'= \t\r\x1b\x00\x7f\u00ff\ufffd\u2028x0"),
  maxLength: 12,
});
const number = fc.oneof(
  fc.nat({ max: 99 }),
  fc.integer(),
  fc.constantFrom("-1", "99999999999999999999", "1e308", "NaN", "0x", ""),
);

const timestamp = fc.oneof(
  fc
    .tuple(fc.nat({ max: 999999 }), fc.nat({ max: 999999 }))
    .map(([s, us]) => `[${String(s).padStart(5)}.${String(us).padStart(6, "0")}]`),
  fc.constantFrom(
    "[    0.000000]",
    "[",
    "[ -1.000000]",
    "[99999999999999999999.999999]",
    "[1.2.3]",
  ),
  fc.tuple(number, number).map(([a, b]) => `[${a}.${b}]`),
);
const level = fc.oneof(
  fc.nat({ max: 7 }).map((l) => `<${l}>`),
  fc.constantFrom("<", "<99>", "<->"),
);
const caller = fc.oneof(
  fc.nat({ max: 99999 }).map((n) => `[T${n}]`),
  fc.nat({ max: 64 }).map((n) => `[C${n}]`),
  fc.constantFrom("[T]", "[C-1]", "[T99999999999999999999]"),
);
const syslog = fc
  .tuple(
    fc.constantFrom("May", "Jan", "Xyz"),
    fc.nat({ max: 40 }),
    word,
    fc.constantFrom("kernel", "systemd", "kernel[1]"),
  )
  .map(([mon, day, host, tag]) => `${mon} ${day} 18:36:31 ${host} ${tag}: `);
const prefix = fc
  .tuple(
    fc.option(syslog, { freq: 4 }),
    fc.option(level, { freq: 3 }),
    fc.option(timestamp, { freq: 2 }),
    fc.option(caller, { freq: 4 }),
    fc.option(fc.constantFrom("> ", "   ", "login: ", "** 3 printk messages dropped **"), {
      freq: 6,
    }),
  )
  .map(
    ([sys, lvl, ts, who, junk]) => `${junk ?? ""}${sys ?? ""}${lvl ?? ""}${ts ?? ""}${who ?? ""} `,
  );

const location = fc
  .tuple(
    word,
    hex(1, 5),
    hex(1, 5),
    fc.option(
      word.map((m) => ` [${m}]`),
      { freq: 2 },
    ),
  )
  .map(([f, o, s, m]) => `${f}+0x${o}/0x${s}${m ?? ""}`);
const register = fc
  .tuple(
    fc.constantFrom("RAX", "RBX", "RCX", "RSP", "R08", "x0", "pc", "lr", "sp", "EFLAGS", "CR2"),
    hex(0, 20),
  )
  .map(([r, v]) => `${r}: ${v}`);
const codeToken = fc.oneof(
  hex(2, 2),
  hex(2, 2).map((h) => `<${h}>`),
  hex(8, 8).map((h) => `(${h})`),
  hex(4, 4),
  fc.constantFrom("<>", "()", "<4", "8b>", "<zz>", "0x48", "<48>", "(d4200000)", "..."),
  odd,
);
const codeLine = fc
  .array(codeToken, { maxLength: 80 })
  .map((tokens) => `Code: ${tokens.join(" ")}`);

const body = fc.oneof(
  fc.constantFrom(
    "BUG: kernel NULL pointer dereference, address: 0000000000000000",
    "BUG: unable to handle page fault for address: ffffffffc05ad640",
    "#PF: supervisor read access in kernel mode",
    "#PF: error_code(0x0000) - not-present page",
    "Oops: 0000 [#1] PREEMPT SMP NOPTI",
    "Oops: Oops: 0002 [#99999999999] SMP",
    "general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] SMP",
    "kernel BUG at lib/list_debug.c:56!",
    "invalid opcode: 0000 [#1] SMP",
    "divide error: 0000 [#1] SMP",
    "Kernel panic - not syncing: Fatal exception",
    "Kernel panic - not syncing: ",
    "watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [insmod:123]",
    "INFO: task kworker/0:1:12 blocked for more than 120 seconds.",
    "WARNING: CPU: 0 PID: 1 at kernel/fork.c:10 copy_process+0x1/0x2",
    "list_del corruption, ffff888003b3c000->next is LIST_POISON1 (dead000000000100)",
    "Out of memory: Killed process 123 (a.out)",
    "sysrq: Trigger a crash",
    "------------[ cut here ]------------",
    "Call Trace:",
    " <TASK>",
    " </TASK>",
    " <IRQ>",
    " </IRQ>",
    "Modules linked in: buggy(OE) ext4 mbcache jbd2",
    "Modules linked in:",
    "CR2: 0000000000000000",
    "---[ end trace 0000000000000000 ]---",
    "---[ end Kernel panic - not syncing: Fatal exception ]---",
    "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
    "Kernel Offset: 0x1c00000 from 0xffffffff81000000",
    "crash> bt",
    "crash> sys",
    "crash> log",
    "      KERNEL: vmlinux",
    '       PANIC: "Oops: 0000 [#1] SMP"',
    'PID: 1234   TASK: ffff888003b3c000  CPU: 1   COMMAND: "insmod"',
    "Unable to access opcode bytes at 0x47b776.",
  ),
  fc
    .tuple(
      number,
      number,
      word,
      fc.constantFrom("G", "G           OE", "P    B D W", "Not tainted", ""),
      word,
    )
    .map(
      ([cpu, pid, comm, taint, rel]) =>
        `CPU: ${cpu} PID: ${pid} Comm: ${comm} Tainted: ${taint} ${rel} #1`,
    ),
  fc.tuple(hex(4, 4), location).map(([cs, loc]) => `RIP: ${cs}:${loc}`),
  hex(1, 16).map((h) => `RIP: 0033:0x${h}`),
  fc.tuple(location, fc.constantFrom("pc : ", "lr : ", "EIP: ")).map(([loc, p]) => `${p}${loc}`),
  fc.array(register, { maxLength: 4 }).map((r) => r.join(" ")),
  codeLine,
  fc.tuple(fc.boolean(), location).map(([q, loc]) => ` ${q ? "? " : ""}${loc}`),
  fc
    .tuple(fc.nat({ max: 99 }), hex(16, 16), word, hex(16, 16))
    .map(([n, sp, f, pc]) => ` #${n} [${sp}] ${f} at ${pc}`),
  fc.tuple(word, odd, word).map(([a, b, c]) => `${a}${b}${c}`),
  fc.string({ maxLength: 60 }),
);

/** One line of a kernel log, maybe prefixed, sometimes journal JSON or export fields. */
export const logLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(prefix, body).map(([p, b]) => p + b) },
  { weight: 2, arbitrary: body },
  {
    weight: 1,
    arbitrary: fc
      .tuple(body, fc.constantFrom("kernel", "journal", "x"), fc.oneof(fc.nat(), number))
      .map(([b, t, p]) =>
        JSON.stringify({
          MESSAGE: b,
          _TRANSPORT: t,
          PRIORITY: p,
          __MONOTONIC_TIMESTAMP: String(p),
        }),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("MESSAGE", "_TRANSPORT", "SYSLOG_IDENTIFIER", "__CURSOR", "A"), body)
      .map(([k, v]) => `${k}=${v}`),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
);

/** Line breaks as consoles and capture tools write them. */
export const lineBreak = fc.constantFrom("\n", "\n", "\n", "\r\n", "\r", "\r\r\n", "\n\n");

/** A whole log from the grammar. */
export const grammarLog: fc.Arbitrary<string> = fc
  .tuple(fc.array(logLine, { maxLength: 60 }), lineBreak)
  .map(([lines, br]) => lines.join(br));
