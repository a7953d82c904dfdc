import * as assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { underObjectLock } from "../../local-aws/durable-writes";

describe("local-aws/durable-writes: the per-object lock", () => {
  it("runs locked work on one object one at a time, in arrival order, and on other objects alongside", async () => {
    const store = {};
    const log: string[] = [];
    const work = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await sleep(ms);
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      underObjectLock(store, "b", "k", work("put", 30)),
      underObjectLock(store, "b", "k", work("copy", 1)),
      underObjectLock(store, "b", "other", work("elsewhere", 1)),
    ]);
    assert.deepEqual(results, ["put", "copy", "elsewhere"]);
    assert.deepEqual(log, ["put start", "elsewhere start", "elsewhere end", "put end", "copy start", "copy end"]);
  });

  it("a failed holder releases the lock and its error reaches only its caller", async () => {
    const store = {};
    const failed = underObjectLock(store, "b", "k", async () => {
      throw new Error("disk full");
    });
    const next = underObjectLock(store, "b", "k", async () => "ran");
    await assert.rejects(failed, /disk full/);
    assert.equal(await next, "ran");
  });
});
