import assert from "node:assert/strict";
import fc from "fast-check";
import type { ListedFile } from "../../archiver/planning/log-file-names";
import type { CopyAction } from "../../archiver/planning/plan-instance";
import {
  downloadProblem, mayArriveSmaller, movedSince, relistScope, shortReadOf, transferError, type Received,
} from "../../archiver/sync/download-checks";

const MYSQL_ERROR = "error/mysql-error-running.log.2";
const listed = (name: string, size = 1000, lastWritten = 5): ListedFile => ({ name, size, lastWritten });
const whole = (bytes: number, over: Partial<Received> = {}): Received => ({ complete: true, bytes, endsAtLineBreak: true, sha256: "h1", ...over });

describe("sync/download-checks", () => {
  it("only MySQL error logs may arrive smaller than listed", () => {
    assert.ok(mayArriveSmaller("error/mysql-error.log"));
    assert.ok(mayArriveSmaller("mysql-error-running.log.3"));
    assert.ok(!mayArriveSmaller("error/postgresql.log.2024-10-01-12"));
    assert.ok(!mayArriveSmaller("slowquery/not-mysql-error.log"));
  });

  it("a body cut off by the transfer or shorter than listed is refused, naming the file and the sizes", () => {
    const file = listed("error/postgresql.log", 1000);
    assert.equal(downloadProblem(file, whole(1000)), undefined);
    assert.equal(downloadProblem(file, whole(1200)), undefined, "a file that grew since it was listed is fine");
    assert.equal(downloadProblem(file, whole(1000, { complete: false })), "download of error/postgresql.log ended early after 1000 bytes");
    assert.equal(downloadProblem(file, whole(999)), "download of error/postgresql.log returned 999 bytes, 1000 were listed");
  });

  it("a short MySQL error log is accepted on the second identical download ending at a line break", () => {
    const file = listed(MYSQL_ERROR, 1000);
    const first = whole(800);
    assert.match(downloadProblem(file, first) ?? "", /returned 800 bytes, 1000 were listed/);
    const remembered = shortReadOf(file, first);
    assert.deepEqual(remembered, { bytes: 800, sha256: "h1" });
    assert.equal(downloadProblem(file, whole(800), remembered), undefined);
    assert.ok(downloadProblem(file, whole(800, { sha256: "h2" }), remembered), "other bytes");
    assert.ok(downloadProblem(file, whole(700), remembered), "another length");
    assert.ok(downloadProblem(file, whole(800, { endsAtLineBreak: false }), remembered), "cut mid-line");
    assert.ok(downloadProblem(file, whole(800, { complete: false }), remembered), "broken transfer");
    assert.equal(shortReadOf(file, whole(800, { endsAtLineBreak: false })), undefined);
    assert.equal(shortReadOf(listed("error/postgresql.log"), whole(800)), undefined);
    assert.equal(shortReadOf(file, whole(1000)), undefined);
  });

  it("property: a short body is accepted only when it may be short, is whole, ends a line and repeats the last attempt", () => {
    const received = fc.record({
      complete: fc.boolean(), bytes: fc.integer({ min: 0, max: 20 }), endsAtLineBreak: fc.boolean(), sha256: fc.constantFrom("a", "b"),
    });
    fc.assert(
      fc.property(fc.constantFrom(MYSQL_ERROR, "error/postgresql.log"), fc.integer({ min: 0, max: 20 }), received, received, (name, size, a, b) => {
        const file = listed(name, size);
        const accepted = downloadProblem(file, b, shortReadOf(file, a)) === undefined;
        const repeated = a.complete && b.complete && a.bytes === b.bytes && a.sha256 === b.sha256 && a.endsAtLineBreak && b.endsAtLineBreak;
        const expected = b.complete && (b.bytes >= size || (mayArriveSmaller(name) && repeated));
        assert.equal(accepted, expected);
      }),
      { numRuns: 500 },
    );
  });

  it("a transfer error is retried like a reset connection", () => {
    assert.equal((transferError("x") as Error & { code?: string }).code, "ECONNRESET");
  });

  it("relist: the copied file alone, or the whole chain the planner named, must still be listed exactly so", () => {
    const file = listed("audit/server_audit.log.1");
    const family = [file, listed("audit/server_audit.log.2")];
    const base: CopyAction = {
      action: "copy", file, kind: "chain-member", identity: "i", key: "k", reason: "new", final: true, verify: "relist",
    };
    assert.deepEqual(relistScope(base), { contains: file.name, files: [file] });
    assert.deepEqual(relistScope({ ...base, unchanged: { contains: "server_audit.log", files: family } }).files, family);
    assert.equal(movedSince(family, [...family, listed("audit/server_audit.log")]), undefined);
    assert.equal(movedSince(family, [family[0], { ...family[1], lastWritten: 6 }]), family[1]);
    assert.equal(movedSince(family, [{ ...family[0], size: 1001 }, family[1]]), family[0]);
    assert.equal(movedSince(family, [family[1]]), family[0]);
  });
});
