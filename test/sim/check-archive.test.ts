import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { ArchivedObject, checkArchive, checkKey, isClean, summarize } from "./check-archive";
import { Ledger, LineClasses } from "./ledger";
import { SeededRandom } from "../../local-aws/seeded-random";

const T0 = Date.UTC(2024, 9, 1, 12, 0);
const groups = new Map([
  ["db-1", "db-1"],
  ["au-1", "cluster-a"],
]);

function meta(plain: Buffer, instance: string): Record<string, string> {
  return {
    "rds-instance": instance,
    "rds-log-file": "error/x.log",
    "rds-size": String(plain.length),
    "rds-last-written": String(T0),
    bytes: String(plain.length),
    sha256: createHash("sha256").update(plain).digest("hex"),
  };
}

function object(key: string, lines: string[], instance = "db-1", raw?: Buffer): ArchivedObject {
  const plain = raw ?? Buffer.from(lines.map((l) => l + "\n").join(""));
  return { key, body: gzipSync(plain), metadata: meta(plain, instance) };
}

/** Ten lines of db-1, all required, and a clean archive of them in two objects. */
function fixture() {
  const ledger = new Ledger(new SeededRandom(1));
  const lines = Array.from({ length: 10 }, (_, i) => ledger.write("db-1", "postgresql", T0 + i * 1000));
  const classes: LineClasses = { written: new Set(lines), required: new Set(lines), pending: new Set(), unarchivable: new Set() };
  const keyA = "db-1/error/2024/10/01/12/db-1/error/postgresql.log.2024-10-01-12.gz";
  const keyB = "db-1/error/2024/10/01/12/db-1/error/postgresql.log.2024-10-01-12.part2.gz";
  return { ledger, lines, classes, keyA, keyB };
}

describe("sim archive checker", () => {
  it("a clean archive is clean, and state objects are ignored", () => {
    const { lines, classes, keyA, keyB } = fixture();
    const r = checkArchive(classes, [object(keyA, lines.slice(0, 6)), object(keyB, lines.slice(6)), { key: "_state/db-1/db-1.json", body: Buffer.from("{}") }], { groups });
    assert.ok(isClean(r), summarize(r));
    assert.equal(r.linesChecked, 10);
    assert.equal(r.archivedLines, 10);
    assert.equal(r.objects, 2);
  });

  it("reports exactly one lost, one duplicated and one corrupted line", () => {
    const { lines, classes, keyA, keyB } = fixture();
    const corruptedLine = lines[5].slice(0, -3) + "XYZ"; // a written line whose payload was garbled
    const archive = [
      object(keyA, [...lines.slice(0, 3), lines[4], corruptedLine]), // lines[3] lost, lines[5] replaced by garbage
      object(keyB, [lines[4], ...lines.slice(6)]), // lines[4] a second time
    ];
    const r = checkArchive(classes, archive, { groups });
    assert.deepEqual(r.lost, [lines[3], lines[5]].sort());
    assert.equal(r.duplicated.length, 1);
    assert.equal(r.duplicated[0].line, lines[4]);
    assert.deepEqual(r.duplicated[0].keys, [keyA, keyB]);
    assert.equal(r.corrupted.length, 1);
    assert.equal(r.corrupted[0].reason, "not a line any model wrote");
    assert.ok(!isClean(r));
    assert.match(summarize(r), /lost=2 duplicated=1 corrupted=1/);
  });

  it("a duplicate inside one object counts", () => {
    const { lines, classes, keyA } = fixture();
    const r = checkArchive(classes, [object(keyA, [...lines, lines[0]])], { groups });
    assert.equal(r.duplicated.length, 1);
    assert.equal(r.lost.length, 0);
  });

  it("partial lines, broken UTF-8 and non-gzip objects are corrupted", () => {
    const { lines, classes, keyA, keyB } = fixture();
    const full = Buffer.from(lines.map((l) => l + "\n").join(""));
    // Cut in the middle of the last line: the archive lost the trailing newline and part of the line.
    const truncated = full.subarray(0, full.length - Buffer.byteLength(lines[9] + "\n") + 30);
    let r = checkArchive(classes, [object(keyA, [], "db-1", truncated)], { groups });
    assert.equal(r.corrupted.length, 1);
    assert.match(r.corrupted[0].reason, /partial last line/);
    assert.deepEqual(r.lost, [lines[9]]);
    // A multibyte character cut in half inside a line.
    const mb = lines.findIndex((l) => /[^\x00-\x7f]/.test(l));
    const bytes = Buffer.from(lines[mb] + "\n");
    const firstMb = [...bytes].findIndex((b) => b >= 0x80);
    const broken = Buffer.concat([bytes.subarray(0, firstMb + 1), bytes.subarray(firstMb + 2)]);
    const rest = Buffer.from(lines.filter((_, i) => i !== mb).map((l) => l + "\n").join(""));
    r = checkArchive(classes, [object(keyA, [], "db-1", Buffer.concat([broken, rest]))], { groups });
    assert.ok(r.corrupted.some((c) => c.reason === "invalid UTF-8"));
    assert.ok(r.corrupted.some((c) => c.reason === "not a line any model wrote"));
    assert.deepEqual(r.lost, [lines[mb]]);
    // Not gzip at all.
    r = checkArchive(classes, [{ key: keyB, body: full }], { groups });
    assert.equal(r.corrupted[0].reason, "not a gzip stream");
    assert.equal(r.lost.length, 10);
  });

  it("key layout, misplaced lines, metadata and period violations", () => {
    const { ledger, lines, classes } = fixture();
    assert.deepEqual(checkKey("cluster-a/audit/2024/10/01/12/au-1/audit/audit.log.0.x.gz", groups), { instance: "au-1", hour: Date.UTC(2024, 9, 1, 12) });
    for (const bad of [
      "au-1/audit/2024/10/01/12/au-1/audit/x.gz", // group must be the cluster
      "db-1/error/2024/10/01/12/db-1/x.log", // no .gz
      "db-1/error/2024/10/1/12/db-1/x.gz", // no zero padding
      "db-1/error/2024/02/30/12/db-1/x.gz", // no such day
      "db-1/error/2024/10/01/24/db-1/x.gz", // no such hour
      "db-1/2024/10/01/12/db-1/x.gz", // no logtype
      "db-2/error/2024/10/01/12/db-2/x.gz", // unknown instance
      "error/postgresql.log.2024-10-01-12.gz", // keyed by file name
    ]) {
      assert.ok("error" in checkKey(bad, groups), bad);
    }
    const other = ledger.write("au-1", "audit.0", T0);
    const cls: LineClasses = { ...classes, written: new Set([...classes.written, other]) };
    const good = object("db-1/error/2024/10/01/12/db-1/a.gz", lines);
    const wrongMeta = { ...good, key: "db-1/error/2024/10/01/12/db-1/b.gz", metadata: { ...good.metadata!, sha256: "0".repeat(64), bytes: "1" } };
    const r = checkArchive(
      cls,
      [
        object("db-1/error/2024/10/01/12/db-1/a.gz", lines.slice(0, 5)),
        object("db-1/error/2024/10/03/12/db-1/c.gz", lines.slice(5)), // two days away from its lines
        object("db-1/error/2024/10/01/12/db-1/m.gz", [other]), // a line of au-1 under db-1
        object("db-1/error/x.gz", []),
      ],
      { groups },
    );
    assert.equal(r.layout.length, 1);
    assert.equal(r.period.length, 1);
    assert.equal(r.misplaced.length, 1);
    assert.equal(r.lost.length, 0);
    const r2 = checkArchive(classes, [wrongMeta], { groups });
    assert.equal(r2.metadata.length, 2);
    assert.ok(!isClean(r2));
  });

  it("pending and unarchivable lines are not required, but are counted when archived", () => {
    const { lines, keyA } = fixture();
    const classes: LineClasses = {
      written: new Set(lines),
      required: new Set(lines.slice(0, 6)),
      pending: new Set(lines.slice(6, 8)),
      unarchivable: new Set(lines.slice(8)),
    };
    const r = checkArchive(classes, [object(keyA, [...lines.slice(0, 7), lines[9]])], { groups });
    assert.ok(isClean(r), summarize(r));
    assert.deepEqual(r.pending, { total: 2, archived: 1 });
    assert.deepEqual(r.unarchivable, { total: 2, archived: 1 });
  });
});
