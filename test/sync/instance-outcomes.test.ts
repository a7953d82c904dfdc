import assert from "node:assert/strict";
import fc from "fast-check";
import type { CopyAction, PlannedAction, RejectAction, SkipAction } from "../../archiver/planning/plan-instance";
import type { SyncEvent } from "../../archiver/report";
import { instanceOutcomes } from "../../archiver/sync/instance-outcomes";

const TARGET = { instance: "db-1", group: "cluster" };

function copy(name: string, lastWritten: number, final = true, size = 100): CopyAction {
  return {
    action: "copy", file: { name, lastWritten, size }, kind: "single", identity: `single:${name}`, key: `k/${name}.gz`,
    reason: final ? "new" : "refresh", final, verify: "grown",
  };
}
const skip = (name: string, lastWritten = 1): SkipAction => ({ action: "skip", file: { name, lastWritten, size: 1 }, kind: "single", skip: "archived", reason: "already archived" });
const reject = (name: string, lastWritten: number): RejectAction => ({ action: "reject", file: { name, lastWritten, size: 1 }, reason: "bad name" });

function recorder() {
  const events: SyncEvent[] = [];
  return { events, outcomes: instanceOutcomes(TARGET, (e) => events.push(e)) };
}

describe("sync/instance-outcomes", () => {
  it("records a copy once: in the report with its note, in the totals, and as an event without the note", () => {
    const { events, outcomes } = recorder();
    const c = copy("a.log", 10);
    outcomes.started(c);
    outcomes.progress(c, 40);
    outcomes.copied(c, { bytesRead: 100, bytesWritten: 30, ms: 7, note: "; kept k/old.gz" });
    const r = outcomes.report;
    assert.deepEqual(r.copied, [{ file: "a.log", key: "k/a.log.gz", reason: "new; kept k/old.gz", size: 100, bytesRead: 100, bytesWritten: 30 }]);
    assert.deepEqual([r.bytesRead, r.bytesWritten, r.oldestUnarchived], [100, 30, undefined]);
    assert.deepEqual(events.map((e) => e.type), ["copy-start", "progress", "copied"]);
    assert.deepEqual(events[2], { type: "copied", instance: "db-1", file: "a.log", key: "k/a.log.gz", reason: "new", bytesRead: 100, bytesWritten: 30, ms: 7 });
  });

  it("a failed copy carries the AWS error code in its reason and its event; a deferred one is not a failure", () => {
    const { events, outcomes } = recorder();
    outcomes.copyFailed(copy("a.log", 10), Object.assign(new Error("slow down"), { Code: "SlowDown" }));
    outcomes.deferred(copy("b.log", 20), "not enough run time left");
    const r = outcomes.report;
    assert.deepEqual(r.failed, [{ file: "a.log", key: "k/a.log.gz", reason: "SlowDown: slow down", size: 100 }]);
    assert.deepEqual(r.deferred, [{ file: "b.log", key: "k/b.log.gz", reason: "not enough run time left", size: 100 }]);
    assert.deepEqual(events, [
      { type: "failed", instance: "db-1", file: "a.log", key: "k/a.log.gz", reason: "SlowDown: slow down", code: "SlowDown" },
      { type: "deferred", instance: "db-1", file: "b.log", key: "k/b.log.gz", reason: "not enough run time left" },
    ]);
    assert.ok(outcomes.settled("a.log") && outcomes.settled("b.log") && !outcomes.settled("c.log"));
  });

  it("each round's plan replaces the skips and the rejections of the round before, and tells of each rejection", () => {
    const { events, outcomes } = recorder();
    outcomes.planned(3, [skip("s1"), reject("r1", 5), copy("c1", 9)]);
    outcomes.copyFailed(copy("c1", 9), new Error("boom"));
    outcomes.planned(2, [skip("s2"), reject("r1", 5)]);
    const r = outcomes.report;
    assert.equal(r.listed, 2);
    assert.deepEqual(r.skipped.map((s) => s.file), ["s2"]);
    assert.deepEqual(r.failed.map((f) => [f.file, f.reason]), [["c1", "Error: boom"], ["r1", "bad name"]]);
    assert.deepEqual(events.filter((e) => e.type === "failed").map((e) => e.type === "failed" && e.file), ["r1", "c1", "r1"]);
  });

  it("a dry run records the copies it would make; a file that kept changing fails without an event", () => {
    const { events, outcomes } = recorder();
    outcomes.dryRun([copy("a.log", 1)]);
    outcomes.keptChanging(copy("b.log", 2));
    assert.deepEqual(outcomes.report.planned, [{ file: "a.log", key: "k/a.log.gz", reason: "new", size: 100 }]);
    assert.deepEqual(outcomes.report.failed, [{ file: "b.log", key: "k/b.log.gz", reason: "changed during copy; retried next run", size: 100 }]);
    assert.deepEqual(events, []);
  });

  it("an instance that fails as a whole keeps the error's code and message", () => {
    const { events, outcomes } = recorder();
    outcomes.instanceFailed(Object.assign(new Error("no such instance"), { name: "DBInstanceNotFoundFault" }));
    assert.deepEqual(outcomes.report.error, { code: "DBInstanceNotFoundFault", message: "no such instance" });
    assert.deepEqual(events, [{ type: "failed", instance: "db-1", reason: "no such instance", code: "DBInstanceNotFoundFault" }]);
  });

  it("property: oldestUnarchived is the oldest closed file left behind, whichever way it was left", () => {
    const kind = fc.constantFrom("copied", "failed", "deferred", "keptChanging", "rejected", "refreshFailed");
    fc.assert(
      fc.property(fc.array(fc.tuple(kind, fc.integer({ min: 0, max: 1e12 })), { maxLength: 12 }), (steps) => {
        const { outcomes } = recorder();
        const rejects: PlannedAction[] = [];
        steps.forEach(([k, lw], i) => {
          const name = `f${i}`;
          if (k === "copied") outcomes.copied(copy(name, lw), { bytesRead: 1, bytesWritten: 1, ms: 0 });
          if (k === "failed") outcomes.copyFailed(copy(name, lw), new Error("x"));
          if (k === "deferred") outcomes.deferred(copy(name, lw), "later");
          if (k === "keptChanging") outcomes.keptChanging(copy(name, lw));
          if (k === "rejected") rejects.push(reject(name, lw));
          // A refresh of a still-active file leaves nothing closed behind.
          if (k === "refreshFailed") outcomes.copyFailed(copy(name, lw, false), new Error("x"));
        });
        outcomes.planned(steps.length, rejects);
        const behind = steps.filter(([k]) => k !== "copied" && k !== "refreshFailed").map(([, lw]) => lw);
        assert.equal(outcomes.report.oldestUnarchived, behind.length ? Math.min(...behind) : undefined);
      }),
      { numRuns: 300 },
    );
  });
});
