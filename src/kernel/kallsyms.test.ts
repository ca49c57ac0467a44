import { describe, it } from "node:test";
import { assertNullreadSymbols } from "../../test/nullread-symbols.js";
import { testdata } from "../../test/shared.js";
import { openDump } from "../dump/index.js";
import { openKernel } from "./index.js";

describe("kallsyms from a minimal dump", () => {
  it("decodes every symbol, looks names and addresses up both ways", async () => {
    const dump = await openDump(testdata("dumps", "nullread-info.kdump-zlib"));
    try {
      const kernel = await openKernel(dump);
      await assertNullreadSymbols(kernel);
    } finally {
      await dump.close();
    }
  });
});
