/**
 * @module oops/fields/oom
 * The facts of an OOM-killer report, read from its own lines (mm/oom_kill.c, mm/memcontrol.c,
 * mm/show_mem.c): who asked for memory and how (gfp mask, order), whether the limit that ran
 * out was the whole machine or a memory cgroup, which process was killed and how big it was,
 * and the swap left. Every kernel since 2.6.18 prints some of these lines; each fact keeps the
 * line it was read from, and a fact whose line is absent stays absent.
 */

export interface OomInvoker {
  comm: string;
  /** "0xcc0" */
  gfpMask: string;
  /** the decoded flags the kernel printed beside the mask since 4.10: "GFP_KERNEL" */
  gfpFlags?: string;
  order?: number;
  oomScoreAdj?: number;
  line: number;
}

export interface OomVictim {
  pid: number;
  comm: string;
  /** sizes in kB, as printed */
  totalVmKb?: number;
  anonRssKb?: number;
  fileRssKb?: number;
  shmemRssKb?: number;
  uid?: number;
  oomScoreAdj?: number;
  line: number;
}

/**
 * `global`: the machine ran out (CONSTRAINT_NONE); `memcg`: a memory cgroup hit its limit;
 * `cpuset`/`mempolicy`: an allocation restricted to some nodes found them full.
 */
export type OomScope = "global" | "memcg" | "cpuset" | "mempolicy";

export interface OomFacts {
  invoker?: OomInvoker;
  scope?: { value: OomScope; line: number };
  /** the cgroup whose limit was hit (`oom_memcg=`, or "as a result of limit of …") */
  limitCgroup?: string;
  /** the victim's cgroup (`task_memcg=`) */
  taskCgroup?: string;
  /** "memory: usage 17024340kB, limit 17024340kB, failcnt 1243" */
  memcgUsage?: { usageKb: number; limitKb: number; failcnt: number; line: number };
  victim?: OomVictim;
  swap?: { freeKb: number; totalKb?: number; line: number };
  /** "4194174 pages RAM" */
  ramPages?: number;
}

export interface NumberedLine {
  line: number;
  text: string;
}

/** `key=value` and bare words split at commas: the invoker line and `oom-kill:` line. */
function keyValues(list: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of list.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) out.set(part.trim(), "");
    else out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function int(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d+$/.test(value)) return undefined;
  return Number(value);
}

/** `oom-kill:constraint=` values → scope */
const CONSTRAINT_SCOPE: Record<string, OomScope> = {
  CONSTRAINT_NONE: "global",
  CONSTRAINT_MEMCG: "memcg",
  CONSTRAINT_CPUSET: "cpuset",
  CONSTRAINT_MEMORY_POLICY: "mempolicy",
};

const INVOKER = /^\s*(.+?) invoked oom-killer: (.*)$/;
const GFP = /^(0x[0-9a-f]+)(?:\((.*)\))?$/i;
const OOM_KILL = /^\s*oom-kill:(.*)$/;
/** "Out of memory: Killed process 10843 (x) total-vm:…", its memcg and older forms: "Kill
 * process N (x) score S or sacrifice child" (3.x–4.x, followed by "Killed process N (x) …") */
const VICTIM =
  /^\s*(?:(Memory cgroup out of memory|Out of memory(?: \([^)]*\))?): )?Kill(?:ed)? process (\d+) \((.*?)\)(.*)$/;
/** "total-vm:719984kB, anon-rss:5064kB, … UID:1000 pgtables:108kB oom_score_adj:997" */
const VICTIM_FIELD = /([a-zA-Z_-]+):(-?\d+)(kB)?/g;
const MEMCG_USAGE = /^\s*memory: usage (\d+)kB, limit (\d+)kB, failcnt (\d+)/;
/** cgroup v1 kernels before 4.19: "Task in /a killed as a result of limit of /b" */
const TASK_IN = /^\s*Task in (\S+) killed as a result of limit of (\S+)/;
const FREE_SWAP = /^\s*Free swap\s*=\s*(\d+)kB/;
const TOTAL_SWAP = /^\s*Total swap\s*=\s*(\d+)kB/;
const RAM_PAGES = /^\s*(\d+) pages RAM\s*$/;

const VICTIM_KEYS: Record<string, keyof OomVictim> = {
  "total-vm": "totalVmKb",
  "anon-rss": "anonRssKb",
  "file-rss": "fileRssKb",
  "shmem-rss": "shmemRssKb",
  UID: "uid",
  oom_score_adj: "oomScoreAdj",
};

function readInvoker(m: RegExpExecArray, line: number): OomInvoker | undefined {
  const fields = keyValues(m[2] as string);
  const gfp = GFP.exec(fields.get("gfp_mask") ?? "");
  if (!gfp) return undefined;
  const invoker: OomInvoker = { comm: m[1] as string, gfpMask: gfp[1] as string, line };
  if (gfp[2]) invoker.gfpFlags = gfp[2];
  const order = int(fields.get("order"));
  if (order !== undefined) invoker.order = order;
  const adj = int(fields.get("oom_score_adj"));
  if (adj !== undefined) invoker.oomScoreAdj = adj;
  return invoker;
}

function readVictim(m: RegExpExecArray, line: number): OomVictim {
  const victim: OomVictim = { pid: Number(m[2]), comm: m[3] as string, line };
  for (const f of (m[4] as string).matchAll(VICTIM_FIELD)) {
    const key = VICTIM_KEYS[f[1] as string];
    if (key) (victim as unknown as Record<string, number>)[key] = Number(f[2]);
  }
  return victim;
}

/** The scope the victim line's own words give, when no `oom-kill:` line said it. */
function victimScope(prefix: string | undefined): OomScope | undefined {
  if (prefix === "Memory cgroup out of memory") return "memcg";
  if (prefix?.startsWith("Out of memory")) return "global";
  return undefined;
}

interface LineRule {
  pattern: RegExp;
  /** reads the match into `facts`; returns false when the line turned out not to count */
  apply(facts: OomFacts, m: RegExpExecArray, line: number): boolean;
  /** a swap/RAM line alone does not make an OOM report: show_mem() prints them for sysrq too */
  supporting?: true;
}

/** One row per OOM line shape; the first fact of each sort wins: one report is one OOM kill. */
const LINE_RULES: readonly LineRule[] = [
  {
    pattern: INVOKER,
    apply(facts, m, line) {
      if (facts.invoker) return true;
      const invoker = readInvoker(m, line);
      if (invoker) facts.invoker = invoker;
      return invoker !== undefined;
    },
  },
  {
    pattern: OOM_KILL,
    apply(facts, m, line) {
      const fields = keyValues(m[1] as string);
      const scope =
        CONSTRAINT_SCOPE[fields.get("constraint") ?? ""] ??
        (fields.has("global_oom") ? "global" : undefined);
      if (scope && !facts.scope) facts.scope = { value: scope, line };
      const limit = fields.get("oom_memcg");
      if (limit && !facts.limitCgroup) facts.limitCgroup = limit;
      const task = fields.get("task_memcg");
      if (task && !facts.taskCgroup) facts.taskCgroup = task;
      return true;
    },
  },
  {
    pattern: VICTIM,
    apply(facts, m, line) {
      // "Kill process N (x) score S or sacrifice child" only chooses; "Killed" kills
      if (/^ score \d+/.test(m[4] as string)) return false;
      if (facts.victim) return true;
      facts.victim = readVictim(m, line);
      const scope = victimScope(m[1]);
      if (scope && !facts.scope) facts.scope = { value: scope, line };
      return true;
    },
  },
  {
    pattern: MEMCG_USAGE,
    apply(facts, m, line) {
      facts.memcgUsage ??= {
        usageKb: Number(m[1]),
        limitKb: Number(m[2]),
        failcnt: Number(m[3]),
        line,
      };
      return true;
    },
  },
  {
    pattern: TASK_IN,
    apply(facts, m, line) {
      facts.taskCgroup ??= m[1] as string;
      facts.limitCgroup ??= m[2] as string;
      facts.scope ??= { value: "memcg", line };
      return true;
    },
  },
  {
    pattern: FREE_SWAP,
    supporting: true,
    apply(facts, m, line) {
      facts.swap ??= { freeKb: Number(m[1]), line };
      return true;
    },
  },
  {
    pattern: TOTAL_SWAP,
    supporting: true,
    apply(facts, m) {
      if (facts.swap && facts.swap.totalKb === undefined) facts.swap.totalKb = Number(m[1]);
      return true;
    },
  },
  {
    pattern: RAM_PAGES,
    supporting: true,
    apply(facts, m) {
      facts.ramPages ??= Number(m[1]);
      return true;
    },
  },
];

/** Reads the OOM facts from a report's lines; undefined when none of its lines is an OOM line. */
export function parseOomFacts(lines: readonly NumberedLine[]): OomFacts | undefined {
  const facts: OomFacts = {};
  let seen = false;
  for (const { line, text } of lines) {
    for (const rule of LINE_RULES) {
      const m = rule.pattern.exec(text);
      if (!m) continue;
      if (rule.apply(facts, m, line) && !rule.supporting) seen = true;
      break;
    }
  }
  return seen ? facts : undefined;
}
