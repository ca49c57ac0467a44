/**
 * @module shell/format/datatype
 * The shared half of crash's `struct`, `union`, `whatis` and `ptype` over BTF: finding a data
 * type by the name a user types (`task_struct`, `struct task_struct`, a typedef such as
 * `atomic_t`), printing its definition (`struct timer_list {` … `}` then `SIZE: 40`, with
 * `-o` offsets), and crash's member filter over a printed value (parse_for_member).
 */
import type { Btf, BtfType } from "../../kernel/btf/btf.js";
import { ptypeLines, withOffsets } from "./ptype.js";

export interface Datatype {
  /** the struct, union (or enum) itself */
  readonly type: BtfType;
  /** the name as crash prints it after `struct `: the tag, or the typedef's name */
  readonly name: string;
  /** found through a typedef (`atomic_t`): crash prints `typedef struct {` … `} atomic_t;` */
  readonly typedef?: BtfType;
  readonly size: number;
}

/**
 * A struct or union (or, with `kinds`, enum) by name: the tag first, then a typedef whose
 * target is one. `struct x`/`union x` prefixes narrow the search.
 */
export function findDatatype(
  btf: Btf,
  text: string,
  kinds: readonly string[] = ["struct", "union"],
): Datatype | undefined {
  const m = /^(struct|union|enum)\s+(\S+)$/.exec(text.trim());
  const wanted = m ? [m[1] as string] : kinds;
  const bare = m ? (m[2] as string) : text.trim();
  if (bare === "") return undefined;
  for (const kind of wanted) {
    const type = btf.find(`${kind} ${bare}`);
    if (type !== undefined && type.kind !== "fwd")
      return { type, name: bare, size: btf.sizeof(type.id) ?? 0 };
  }
  // crash retries `ptype NAME` when NAME is a typedef of a struct or union
  for (const id of btf.idsNamed(bare)) {
    const t = btf.type(id);
    if (t.kind !== "typedef") continue;
    const target = btf.resolve(id);
    if (wanted.includes(target.kind) || (target.kind === "enum64" && wanted.includes("enum")))
      return { type: target, name: bare, typedef: t, size: btf.sizeof(target.id) ?? 0 };
  }
  return undefined;
}

export interface DeclarationOptions {
  offsets: boolean;
  radix: 10 | 16;
  /** `struct -o NAME ADDR`: member addresses instead of offsets */
  address?: bigint;
  /** `struct NAME.member` without an address */
  member?: string;
}

/** crash's do_datatype_declaration: the definition, then `SIZE: n` (not for one member) */
export function declarationLines(
  btf: Btf,
  datatype: Datatype,
  options: DeclarationOptions,
): string[] {
  let lines = ptypeLines(btf, datatype.type.id);
  if (datatype.typedef !== undefined) {
    lines = [`typedef ${lines[0]}`, ...lines.slice(1, -1), `${lines.at(-1)} ${datatype.name};`];
  }
  const member = options.member;
  if (options.offsets || member !== undefined) {
    lines = withOffsets(btf, datatype.type.id, lines, {
      size: datatype.size,
      radix: options.radix,
      ...(options.address === undefined ? {} : { address: options.address }),
      ...(member === undefined ? {} : { member }),
    });
  }
  if (member === undefined)
    lines.push(
      options.radix === 16 ? `SIZE: 0x${datatype.size.toString(16)}` : `SIZE: ${datatype.size}`,
    );
  return lines;
}

/**
 * crash's parse_for_member (PARSE_FOR_DATA) over the printed value of the whole struct: the
 * line(s) of member `name`, as printed (its indentation and trailing comma kept).
 */
export function linesForMember(printed: string, name: string): string[] {
  const lines = printed.split("\n");
  const lookFor1 = `  ${name} `;
  const lookFor2 = `  ${name}[`;
  const out: string[] = [];
  const lead = (s: string) => s.length - s.trimStart().length;
  let i = 0;
  for (;;) {
    let indent = 0;
    let on = 0;
    let embed = 0;
    let array = false;
    for (; i < lines.length; i++) {
      const line = lines[i] as string;
      if (embed && lead(line) === embed) embed = 0;
      if (!on && !embed && line.includes("= {") && !line.includes(lookFor1)) embed = lead(line);
      if (embed) continue;
      if (line.includes(lookFor1) || line.includes(lookFor2)) {
        on++;
        if (line.includes("= {")) indent = lead(line);
        if (line.includes("[")) array = true;
      }
      if (!on) continue;
      if (
        (indent && on > 1 && lead(line) === indent && !line.includes("}")) ||
        line.startsWith("}")
      ) {
        i++;
        break;
      }
      if (!indent) {
        out.push(line);
        i++;
        break;
      }
      if (line.includes("}") && lead(line) === indent) {
        out.push(line);
        i++;
        break;
      }
      out.push(line);
      on++;
    }
    if (!array || i >= lines.length) return out;
  }
}
