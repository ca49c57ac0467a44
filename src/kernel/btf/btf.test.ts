import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CrashlensError } from "../../errors.js";
import { Btf } from "./btf.js";
import { BtfWriter, sampleBtf } from "./test-writer.js";
import { declaration, typeName } from "./type-name.js";

describe("Btf on a written blob", () => {
  const { w, ids } = sampleBtf();
  const btf = Btf.parse(w.bytes());

  it("indexes every record and reads kinds, names and sizes", () => {
    assert.equal(btf.count, w.peekId);
    assert.deepEqual(btf.warnings, []);
    assert.equal(btf.type(ids.timer).kind, "struct");
    assert.equal(btf.type(ids.timer).name, "timer_list");
    assert.equal(btf.sizeof(ids.timer), 40);
    assert.equal(btf.sizeof(ids.listPtr), 8);
    assert.equal(btf.sizeof(ids.charArray), 16);
    assert.equal(btf.sizeof(ids.fwd), undefined);
    assert.equal(btf.sizeof(0), undefined);
    assert.equal(btf.type(0).kind, "void");
    assert.deepEqual(btf.type(ids.int).int, {
      signed: true,
      char: false,
      bool: false,
      bitOffset: 0,
      bits: 32,
    });
    assert.equal(btf.type(ids.bool).int?.bool, true);
  });

  it("finds types by name, tag, kind, and prefers definitions to forward declarations", () => {
    assert.equal(btf.find("struct timer_list")?.id, ids.timer);
    assert.equal(btf.find("timer_list")?.id, ids.timer);
    assert.equal(btf.find("union timer_list"), undefined);
    assert.equal(btf.find("enum pid_type")?.id, ids.pidType);
    assert.equal(btf.find("u32")?.id, ids.u32);
    assert.equal(btf.find("runqueues", "var")?.id, ids.rqVar);
    assert.equal(btf.find("opaque")?.kind, "fwd");
    assert.equal(btf.find("nothing"), undefined);
    assert.ok([...btf.typeNames(new Set(["struct"]))].includes("timer_list"));
  });

  it("resolves typedefs and qualifiers, members through anonymous members, and paths", () => {
    assert.equal(btf.resolve(ids.u32).id, ids.uint);
    assert.equal(btf.resolve(ids.atomic).kind, "struct");
    assert.deepEqual(btf.member(ids.timer, "function"), {
      bitOffset: 192,
      bitSize: 0,
      type: ids.fnPtr,
    });
    assert.deepEqual(btf.member(ids.task, "hi"), { bitOffset: 64 + 32, bitSize: 0, type: ids.u32 });
    assert.deepEqual(btf.member(ids.task, "prio"), { bitOffset: 33, bitSize: 7, type: ids.int });
    assert.equal(btf.member(ids.task, "nothing"), undefined);
    assert.equal(btf.memberPath(ids.task, "comm[3]")?.bitOffset, 128 + 24);
    assert.equal(btf.memberPath(ids.task, "vals[2]")?.bitOffset, 448 + 64);
    assert.equal(btf.memberPath(ids.task, "comm.x"), undefined);
    assert.equal(btf.offsetof("task", "name"), 40);
    assert.equal(btf.offsetof("timer_list", "flags"), 32);
    assert.equal(btf.offsetof("nothing", "flags"), undefined);
  });

  it("spells types and declarations as C does", () => {
    assert.equal(typeName(btf, ids.fnPtr), "void (*)(struct timer_list *)");
    assert.equal(typeName(btf, ids.charArray), "char [16]");
    assert.equal(typeName(btf, ids.listPtr), "struct list_head *");
    assert.equal(declaration(btf, ids.fnPtr, "function"), "void (*function)(struct timer_list *)");
    assert.equal(declaration(btf, ids.charArray, "comm"), "char comm[16]");
    const proto = btf.funcProto("call_timer_fn");
    assert.deepEqual(
      proto?.params.map((p) => p.name),
      ["timer", "fn", "data"],
    );
    assert.equal(btf.funcProto("nothing"), undefined);
  });

  it("reads split BTF on top of a base", () => {
    const base = Btf.parse(w.bytes());
    const split = new BtfWriter({ firstId: base.count, stringBase: w.stringLength });
    const modStruct = split.struct("buggy_dev", 16, [["list", ids.listHead, 0]]);
    const mod = Btf.parse(split.bytes(), base);
    assert.equal(mod.type(modStruct).name, "buggy_dev");
    assert.equal(mod.find("struct buggy_dev")?.id, modStruct);
    assert.equal(mod.find("struct timer_list")?.id, ids.timer);
    assert.equal(mod.member(modStruct, "list")?.type, ids.listHead);
  });
});

describe("Btf on damaged input", () => {
  const errorCode = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      assert.ok(error instanceof CrashlensError, String(error));
      return error.code;
    }
    return undefined;
  };

  it("refuses a bad magic, version or header, naming the problem", () => {
    const good = sampleBtf().w.bytes();
    assert.equal(
      errorCode(() => Btf.parse(good.subarray(0, 10))),
      "truncated",
    );
    const magic = good.slice();
    magic[0] = 0;
    assert.equal(
      errorCode(() => Btf.parse(magic)),
      "bad-data",
    );
    const version = good.slice();
    version[2] = 2;
    assert.equal(
      errorCode(() => Btf.parse(version)),
      "unsupported",
    );
    const long = good.slice();
    new DataView(long.buffer).setUint32(12, 1 << 30, true);
    assert.equal(
      errorCode(() => Btf.parse(long)),
      "truncated",
    );
  });

  it("keeps the types before an unknown kind, with a warning", () => {
    const w = new BtfWriter();
    const int = w.int("int", 4, { signed: true });
    w.record("future", 25, 0, 0);
    w.int("never", 4);
    const btf = Btf.parse(w.bytes());
    assert.equal(btf.count, int + 1);
    assert.match(btf.warnings[0] ?? "", /kind 25/);
    assert.equal(
      errorCode(() => btf.type(int + 1)),
      "not-found",
    );
  });

  it("survives cycles and dangling ids", () => {
    const w = new BtfWriter();
    const a = w.peekId;
    w.typedef("a", a + 1);
    w.typedef("b", a);
    const selfStruct = w.struct("self", 8, [["me", w.peekId, 0]]);
    const dangling = w.ptr(999);
    const btf = Btf.parse(w.bytes());
    assert.equal(btf.resolve(a).kind, "typedef");
    assert.equal(btf.sizeof(a), undefined);
    assert.equal(typeof typeName(btf, selfStruct), "string");
    assert.equal(typeName(btf, dangling), "? *");
  });
});
