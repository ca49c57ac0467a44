import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CrashlensError } from "../../errors.js";
import { Btf } from "./btf.js";
import {
  type ExpressionEnv,
  evaluateExpression,
  exprTypeName,
  parseTypeName,
} from "./expression.js";
import { sampleBtf } from "./test-writer.js";

const { w, ids } = sampleBtf();
const btf = Btf.parse(w.bytes());

/** memory: a `struct timer_list` at 0x1000 whose entry.next points at 0x2000, a task at 0x2000 */
const memory = new Map<bigint, number>();
function put(address: bigint, bytes: Uint8Array) {
  for (let i = 0; i < bytes.length; i++) memory.set(address + BigInt(i), bytes[i] as number);
}
const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};
put(0x1000n, new Uint8Array(40));
put(0x2000n, new Uint8Array(72));
put(0x1000n, u64(0x2000n));
put(0x1010n, u64(4242n));
put(0x1018n, u64(0xffffffff8157f8c0n));
put(0x2000n, Uint8Array.from([5, 0, 0, 0, 3]));
put(0x2010n, Buffer.from("sh\0"));
put(0x3000n, u64(77n));

const env: ExpressionEnv = {
  btf,
  read: async (address, length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const b = memory.get(address + BigInt(i));
      if (b === undefined) throw new CrashlensError("fault", `cannot read ${address + BigInt(i)}`);
      out[i] = b;
    }
    return out;
  },
  symbol: (name) =>
    name === "runqueues"
      ? { address: 0x2000n, typeId: ids.rqVar }
      : name === "jiffies"
        ? { address: 0x3000n, letter: "D" }
        : undefined,
};

describe("evaluateExpression", () => {
  it("casts, dereferences and follows members and pointers", async () => {
    const expires = await evaluateExpression(env, "((struct timer_list *)0x1000)->expires");
    assert.ok(expires.value.kind === "int" && expires.value.value === 4242n);
    assert.equal(expires.typeText, "long unsigned int");
    const viaNext = await evaluateExpression(
      env,
      "((struct task *)((struct timer_list *)0x1000)->entry.next)->state",
    );
    assert.ok(viaNext.value.kind === "int" && viaNext.value.value === 5n);
    const whole = await evaluateExpression(env, "*(struct timer_list *) 0x1000");
    assert.equal(whole.value.kind, "struct");
    const bit = await evaluateExpression(env, "((struct task *)0x2000)->on_cpu");
    assert.ok(bit.value.kind === "int" && bit.value.value === 1n);
    const c = await evaluateExpression(env, "((struct task *)0x2000)->comm[1]");
    assert.ok(c.value.kind === "int" && c.value.value === 104n);
  });

  it("types per-CPU variables from BTF VAR and refuses typeless globals until cast", async () => {
    const rq = await evaluateExpression(env, "runqueues.state");
    assert.ok(rq.value.kind === "int" && rq.value.value === 5n);
    await assert.rejects(evaluateExpression(env, "jiffies"), /'jiffies' has unknown type/);
    const cast = await evaluateExpression(env, "*(unsigned long *)&jiffies");
    assert.ok(cast.value.kind === "int" && cast.value.value === 77n);
    const address = await evaluateExpression(env, "&jiffies");
    assert.equal(address.typeText, "<data variable, no debug info> *");
  });

  it("scales pointer arithmetic, takes sizeof, spells pointer types", async () => {
    const p = await evaluateExpression(env, "(struct timer_list *)0x1000 + 2");
    assert.ok(p.value.kind === "ptr" && p.value.value === 0x1000n + 80n);
    const size = await evaluateExpression(env, "sizeof(struct task)");
    assert.ok(size.value.kind === "int" && size.value.value === 72n);
    const arrayPointer = await evaluateExpression(env, "&((struct task *)0x2000)->comm");
    assert.equal(arrayPointer.typeText, "char (*)[16]");
    const t = parseTypeName(btf, "unsigned long");
    assert.ok(t !== undefined && exprTypeName(btf, t) === "long unsigned int");
  });

  it("says what is wrong in gdb's words", async () => {
    await assert.rejects(
      evaluateExpression(env, "((struct timer_list *)0x1000)->nothing"),
      /There is no member named nothing/,
    );
    await assert.rejects(
      evaluateExpression(env, "nosuch"),
      /No symbol "nosuch" in current context/,
    );
    await assert.rejects(
      evaluateExpression(env, "*(struct timer_list *)0x9000"),
      (e) => e instanceof CrashlensError && e.code === "fault",
    );
    await assert.rejects(evaluateExpression(env, "(struct nosuch *)0"), /No symbol/);
    await assert.rejects(evaluateExpression(env, "1 +"), /syntax error/);
  });
});
