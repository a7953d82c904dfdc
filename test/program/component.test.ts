// The per-stage program's RdsLogArchive (setup.ts): its children keep their names and are aliased from the top of
// the stack, where they were before the component existed, so an existing stack updates them in place.
import * as assert from "node:assert/strict";
import { STACK_ARCHIVE_NAME } from "../../infra/rds-log-archive";
import { registered, STACK } from "./setup";

describe("program under mocks: the RdsLogArchive component", () => {
  it("is one component; each feature is a child under its old name, aliased from the stack's root", async () => {
    const all = await registered();
    const component = all.filter((r) => r.type === "rds-log-archiver:index:RdsLogArchive");
    assert.deepEqual(component.map((c) => c.name), [STACK_ARCHIVE_NAME]);
    // Components of components are not the archive's children: the event functions' EventFunction, the verify's schedule.
    const nested = (r: { type: string; name: string }) => r.type === "rds-log-archiver:index:EventFunction" || (r.type === "rds-log-archiver:index:SyncSchedule" && r.name === "verify");
    const children = all.filter((r) => r.type.startsWith("rds-log-archiver:index:") && r.type !== "rds-log-archiver:index:RdsLogArchive" && !nested(r));
    assert.deepEqual(children.map((c) => c.name).sort(), ["alarms", "archive", "athena", "dashboard", "events", "logs", "schedule", "sync", "verify"]);
    // A top-level resource's URN has no parent in its type chain: under the CLI the alias names the root stack resource,
    // under mocks (no root stack resource) no parent; both give the URN the resource had before.
    const root = `urn:pulumi:${STACK}::rds-log-archiver::pulumi:pulumi:Stack::rds-log-archiver-${STACK}`;
    for (const child of children) {
      assert.equal(child.aliases?.length, 1, child.name);
      assert.ok([JSON.stringify({ noParent: true }), JSON.stringify({ parentUrn: root })].includes(JSON.stringify(child.aliases![0])), `${child.name}: ${JSON.stringify(child.aliases)}`);
    }
  });
});
