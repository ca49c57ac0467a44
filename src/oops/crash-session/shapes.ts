/**
 * @module oops/crash-session/shapes
 * The line shapes of `crash` utility output, one regex per shape.
 */

/** "crash> bt -FF", "crash7> dis -rl foo+164", and crashlens' own shell: "crashlens> bt" */
export const PROMPT = /^\s*crash(?:\d*|lens)> ?(.*)$/;

/** `sys` fields; the first group opens a sys block even without a prompt. */
export const SYS_OPENERS =
  /^\s*(KERNEL|DUMPFILE|CPUS|DATE|UPTIME|LOAD AVERAGE|TASKS|NODENAME|RELEASE|VERSION|MACHINE|MEMORY|PANIC):\s*(.*)$/;
export const SYS_TASK_FIELDS = /^\s*(PID|COMMAND|TASK|CPU|STATE):\s*(.*)$/;

/** "PID: 2790   TASK: ffff880036a1dc00  CPU: 0   COMMAND: "nginx"" */
export const BT_HEADER =
  /^\s*PID:\s*(\d+)\s+TASK:\s*([0-9a-f]+)\s+CPU:\s*(\d+)\s+COMMAND:\s*"(.*)"/;
/** " #8 [ffff88018fcbfad0] page_fault at ffffffff8163e508 [xfs]" */
export const BT_FRAME =
  /^\s*#(\d+)\s+\[([0-9a-f]+)\]\s+([\w.$]+?)(?:\+(\d+))? at ([0-9a-f]+)(?:\s+\[([\w-]+)\])?/;
/** "[exception RIP: skb_entail+82]" */
export const BT_EXCEPTION = /^\s*\[exception RIP: ([\w.$]+?)(?:\+(\d+))?\]/;
/** "RIP: ffffffff810a86f4  RSP: ffff88103f203d70  RFLAGS: 00010046" and the lines after it */
export const BT_REGISTERS = /^\s*(?:R[A-Z0-9]{1,2}|ORIG_RAX|[CDEFGS]S):\s+[0-9a-f]+/;
export const BT_REGISTER_PAIR = /\b([A-Z][A-Z0-9_]*):\s+([0-9a-f]{4,16})\b/g;
/** "--- <IRQ stack> ---" */
export const BT_STACK_SWITCH = /^\s*--- <(.+?)> ---\s*$/;
/** `bt -f/-F` stack words: "ffff88018fcbf838: 000088018fcbf898 ffff880000000000" */
export const STACK_WORDS = /^\s*[0-9a-f]{8,16}:\s+\S+/;

/** "0xffffffff81573762 <skb_entail+82>:     mov    %rsi,(%rax)" */
export const DIS_LINE = /^\s*(0x[0-9a-f]+) <([\w.$]+)(?:\+(\d+))?>:\s*(.*)$/;
/** "/usr/src/debug/…/kernel/posix-cpu-timers.c: 1292" from `dis -l` */
export const DIS_SOURCE = /^\s*(\/\S+\.[chS]): (\d+)\s*$/;

/** "struct timer_list {", "union foo {" */
export const STRUCT_OPEN = /^\s*(?:struct|union) ([\w]+) \{\s*$/;
/** "$12 = {" or "$3 = 0x0" from `p` */
export const PRINT_VALUE = /^\s*\$\d+ = (.*)$/;
/** "  prev = 0x0," "  entry = {" "  }," */
export const MEMBER = /^\s*([\w.[\]]+) = (.*)$/;
export const CLOSE_BRACE = /^\s*\}[,;]?\s*$/;

/** "  CPU 0: ffff88103f200000" from `kmem -o` */
export const KMEM_OFFSET = /^\s*CPU (\d+): ([0-9a-f]+)\s*$/;
/** "hexadecimal: ffff88103f20b7c0" from `eval` */
export const EVAL_LINE = /^\s*(hexadecimal|decimal|octal|binary): (.*)$/;
