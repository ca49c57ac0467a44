/**
 * The command table's own rules: alphabetical by name (so a new row has one place), one
 * command per name or alias, and every row complete enough for `help` and the option parser.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commands } from "./index.js";

describe("the command table", () => {
  it("is alphabetical by name", () => {
    const names = commands.map((c) => c.name);
    assert.deepEqual(names, [...names].sort());
  });
  it("gives each name and alias to one command", () => {
    const seen = new Map<string, string>();
    for (const c of commands) {
      for (const name of [c.name, ...(c.aliases ?? [])]) {
        assert.equal(
          seen.get(name),
          undefined,
          `${name} is used by ${seen.get(name)} and ${c.name}`,
        );
        seen.set(name, c.name);
      }
    }
  });
  it("has a summary, a help text and distinct, described options in every row", () => {
    for (const c of commands) {
      assert.notEqual(c.summary.trim(), "", c.name);
      assert.notEqual(c.help.trim(), "", c.name);
      const flags = c.options.map((o) => o.flag);
      assert.equal(new Set(flags).size, flags.length, `${c.name}: an option letter twice`);
      for (const o of c.options) assert.notEqual(o.description.trim(), "", `${c.name} -${o.flag}`);
    }
  });
});
