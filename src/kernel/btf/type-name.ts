/**
 * @module kernel/btf/type-name
 * Spells a BTF type as C (and gdb, and so crash) does: `struct list_head *`,
 * `unsigned long`, `char [16]`, `void (*)(struct timer_list *)` — or, given a name, the
 * declaration `void (*function)(struct timer_list *)` that `struct -o` prints.
 */
import type { Btf, BtfType } from "./btf.js";

const MAX_DEPTH = 32;

/** `struct x`, `union x`, `enum x`, a typedef's or base type's own name */
function baseName(type: BtfType): string {
  switch (type.kind) {
    case "struct":
    case "union":
      return `${type.kind} ${type.name || "{...}"}`;
    case "enum":
    case "enum64":
      return `enum ${type.name || "{...}"}`;
    case "fwd":
      return `${type.kindFlag ? "union" : "struct"} ${type.name}`;
    case "void":
      return "void";
    default:
      return type.name || "?";
  }
}

/** how many types one spelling may visit: prototypes of prototypes branch, so damaged BTF
 * could otherwise take exponential time */
const MAX_VISITS = 4096;

/** C's declarator: wraps `inner` (the name, with any `*` already applied) around `id` */
function declare(
  btf: Btf,
  id: number,
  inner: string,
  depth: number,
  budget: { visits: number } = { visits: 0 },
): string {
  if (depth > MAX_DEPTH || !btf.has(id) || ++budget.visits > MAX_VISITS) return `? ${inner}`.trim();
  const type = btf.type(id);
  switch (type.kind) {
    case "ptr":
      return declare(btf, type.type ?? 0, `*${inner}`, depth + 1, budget);
    case "array": {
      const wrapped = inner.startsWith("*") ? `(${inner})` : inner;
      return declare(
        btf,
        type.array?.type ?? 0,
        `${wrapped}[${type.array?.nelems ?? 0}]`,
        depth + 1,
        budget,
      );
    }
    case "func_proto": {
      const params = (type.params ?? []).map((p) =>
        p.type === 0 ? "..." : declare(btf, p.type, "", depth + 1, budget),
      );
      const list = params.length === 0 ? "void" : params.join(", ");
      return declare(btf, type.type ?? 0, `(${inner})(${list})`, depth + 1, budget);
    }
    case "const":
    case "volatile":
    case "restrict": {
      const target = btf.has(type.type ?? 0) ? btf.type(type.type ?? 0) : undefined;
      // `const char *`: the qualifier goes before a base type, after a `*` otherwise
      if (target === undefined || target.kind === "ptr" || target.kind === "array")
        return declare(btf, type.type ?? 0, `${type.kind} ${inner}`.trim(), depth + 1, budget);
      return `${type.kind} ${declare(btf, type.type ?? 0, inner, depth + 1, budget)}`;
    }
    case "type_tag":
      return declare(btf, type.type ?? 0, inner, depth + 1, budget);
    case "func":
      return declare(btf, type.type ?? 0, type.name, depth + 1, budget);
    default: {
      const base = baseName(type);
      if (inner === "") return base;
      return `${base} ${inner}`;
    }
  }
}

/** `struct list_head *`, `char [16]`, `void (*)(struct timer_list *)` */
export function typeName(btf: Btf, id: number): string {
  return declare(btf, id, "", 0)
    .replace(/ \(\)\(/, " (*)(")
    .replace(/\s+$/, "");
}

/** a declaration of `name` with type `id`: `void (*function)(struct timer_list *)` */
export function declaration(btf: Btf, id: number, name: string): string {
  return declare(btf, id, name, 0);
}
