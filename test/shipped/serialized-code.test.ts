/**
 * The guard: no shipped function's serialized code holds a value the serializer could not carry (a module-level
 * Set, Map, Date, class instance, a class extending Error...). It reads the `__index.js` of every function of the
 * stack with every option on, and first checks that the detector recognises what the serializer really emits.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { capturedInstances, type CapturedInstance } from "./captured-instances";
import { FAN_OUT, shippedFunctions } from "./packages";

class Counter {
  count = 0;
  next(): number {
    return ++this.count;
  }
}
class NamedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NamedError";
  }
}
const CODES = new Set(["Throttling"]);
const CACHE = new Map<string, number>();
const EPOCH = new Date(0);
const COUNTER = new Counter();
const NAMES = ["Throttling"];
const PATTERN = /^Thr/;

async function serialize(fn: () => unknown): Promise<string> {
  return (await pulumi.runtime.serializeFunction(fn, { isFactoryFunction: false })).text;
}

const kinds = (found: CapturedInstance[]) => [...new Set(found.map((f) => f.kind))].sort();

describe("serialized code carries no built-in or class instance captured at module scope", function () {
  this.timeout(240_000);

  describe("the detector, on what the serializer emits", () => {
    it("a module-level Set whose method is called: a detached Set.prototype.has", async () => {
      assert.deepEqual(kinds(capturedInstances(await serialize(() => CODES.has("x")))), ["detached built-in method"]);
    });

    it("a module-level Set, Map or Date captured whole: an instance without its internal state", async () => {
      for (const fn of [() => [...CODES], () => CACHE, () => EPOCH]) {
        assert.deepEqual(kinds(capturedInstances(await serialize(fn))), ["built-in instance"], fn.toString());
      }
    });

    it("a Map or Date method: detached too", async () => {
      assert.deepEqual(kinds(capturedInstances(await serialize(() => CACHE.get("x")))), ["detached built-in method"]);
      assert.deepEqual(kinds(capturedInstances(await serialize(() => EPOCH.getTime()))), ["detached built-in method"]);
    });

    it("a module-level instance of a class: a prototype copy with a snapshot of its fields", async () => {
      assert.deepEqual(kinds(capturedInstances(await serialize(() => COUNTER.next()))), ["class instance"]);
    });

    it("a class extending Error", async () => {
      assert.deepEqual(kinds(capturedInstances(await serialize(() => new NamedError("x")))), ["class extending a built-in"]);
    });

    it("arrays, plain objects and regular expressions are carried as they are", async () => {
      assert.deepEqual(capturedInstances(await serialize(() => NAMES.includes("x") && PATTERN.test("x"))), []);
    });
  });

  it("every function of the stack is free of them", async () => {
    // Two stacks: every option on (sync, events, logs, verify) and fan-out (dispatch, worker); one program load at a time.
    const all = await shippedFunctions();
    const fanOut = await shippedFunctions(FAN_OUT);
    const functions = [...Object.values(all), fanOut.dispatch, fanOut.worker].filter((f) => f !== undefined);
    assert.deepEqual(functions.map((f) => f.name).sort(), ["dispatch", "events", "logs", "sync", "verify", "worker"]);
    for (const fn of functions) {
      const found = capturedInstances(fs.readFileSync(fn.file, "utf8"));
      assert.deepEqual(found, [], `${fn.name}/__index.js:\n${found.map((f) => `  line ${f.line}, ${f.kind}: ${f.text}`).join("\n")}`);
    }
  });
});
