/**
 * @module shell/commands/irq
 * `irq`: crash's interrupt table — each IRQ number, its `irq_desc`, its `irqaction`s and
 * their names — from the descriptors read in src/kernel/mm/irq.ts. `-u` keeps only IRQs with
 * a handler; numbers select IRQs.
 */
import { readIrqTable } from "../../kernel/mm/irq.js";
import { type ShellCommand, ShellCommandError } from "../command.js";

const hex = (n: bigint) => n.toString(16).padStart(16, "0");
const UNUSED = "    (unused)    ";
export const IRQ_HEADER = " IRQ   IRQ_DESC/_DATA      IRQACTION      NAME";

/** crash's rows for one IRQ: `%3d   desc  action  "name"`, shared actions indented below */
export function formatIrq(
  irq: number,
  desc: bigint | undefined,
  actions: readonly { address: bigint; name: string }[],
): string[] {
  const number = String(irq).padStart(3);
  if (desc === undefined) return [`${number}   ${UNUSED}  ${UNUSED}  `];
  const [first, ...rest] = actions;
  // crash pads the empty NAME column too: two blanks after "(unused)"
  if (first === undefined) return [`${number}   ${hex(desc)}  ${UNUSED}  `];
  return [
    `${number}   ${hex(desc)}  ${hex(first.address)}  "${first.name}"`,
    ...rest.map((a) => `${" ".repeat(22)}  ${hex(a.address)}  "${a.name}"`),
  ];
}

export const irqCommand: ShellCommand = {
  name: "irq",
  summary: "IRQ data",
  usage: "[-u] [index ...]",
  options: [{ flag: "u", description: "only IRQs with a handler (irqaction) installed" }],
  help: `Lists each IRQ number up to nr_irqs with its irq_desc, its irqaction and the
action's name; a shared line shows its further actions on the lines below. Descriptors are
read from the sparse_irqs maple tree (v6.5+), the irq_desc_tree radix tree (CONFIG_SPARSE_IRQ
before v6.5) or the static irq_desc[] array.`,
  examples: `crashlens> irq 1
 IRQ   IRQ_DESC/_DATA      IRQACTION      NAME
  1   ffff8bec41158200  ffff8bec4274f880  "i8042"`,
  async run(ctx, args) {
    const table = await readIrqTable(ctx.kernel);
    const byIrq = new Map(table.descriptors.map((d) => [d.irq, d]));
    let wanted: number[];
    if (args.positional.length > 0) {
      wanted = args.positional.map((word) => {
        const n = Number(word);
        if (!Number.isInteger(n) || n < 0)
          throw new ShellCommandError(`invalid IRQ value: ${word}`);
        if (n >= table.nrIrqs)
          throw new ShellCommandError(`invalid IRQ value: ${word}  (max: ${table.nrIrqs - 1})`);
        return n;
      });
    } else wanted = Array.from({ length: table.nrIrqs }, (_, i) => i);
    const lines = [IRQ_HEADER];
    for (const irq of wanted) {
      const d = byIrq.get(irq);
      if (args.has("u") && (d === undefined || d.actions.length === 0)) continue;
      lines.push(...formatIrq(irq, d?.desc, d?.actions ?? []));
    }
    ctx.out.write(`${lines.join("\n")}\n`);
    for (const note of table.notes) ctx.err.write(`irq: ${note}\n`);
  },
};
