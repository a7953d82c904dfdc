import { strict as assert } from "assert";
import fc from "fast-check";
import { formatDuration, formatTable, truncateMiddle } from "../../archiver/cli/format";
import { formatPlan, formatSummary, MAX_WIDTH } from "../../archiver/cli/output";
import { unmatchedIncludes } from "../../archiver/cli/problems";
import { emptyProgress, figures, progressReporter, renderLine, renderPlain, track } from "../../archiver/cli/progress";
import type { InstanceReport, SyncEvent, SyncReport } from "../../archiver/report";

const MiB = 1024 * 1024;
const T = Date.UTC(2024, 9, 1, 12);

function instance(over: Partial<InstanceReport> = {}): InstanceReport {
  return { instance: "db1", group: "db1", listed: 0, copied: [], skipped: [], deferred: [], failed: [], bytesRead: 0, bytesWritten: 0, ...over };
}

function report(instances: InstanceReport[], over: Partial<SyncReport> = {}): SyncReport {
  const sum = (f: (r: InstanceReport) => number) => instances.reduce((n, r) => n + f(r), 0);
  const kind = (k: string) => sum((r) => r.skipped.filter((s) => s.skip === k).length);
  return {
    bucket: "archive-test", dryRun: false, startedAt: new Date(T).toISOString(), finishedAt: new Date(T + 65_000).toISOString(), ok: true, instances, errors: [],
    totals: {
      listed: sum((r) => r.listed), copied: sum((r) => r.copied.length), skipped: sum((r) => r.skipped.length), archived: kind("archived"), waiting: kind("waiting"),
      excluded: kind("excluded"), deferred: sum((r) => r.deferred.length), failed: sum((r) => r.failed.length + (r.error ? 1 : 0)),
      bytesRead: sum((r) => r.bytesRead), bytesWritten: sum((r) => r.bytesWritten),
    },
    ...over,
  };
}

describe("CLI progress", () => {
  it("counts files done of files planned; a re-plan after a lost race counts its copies once", () => {
    const s = emptyProgress();
    track(s, { type: "planned", instance: "db1", files: 3, bytes: 30 * MiB }, T);
    for (const f of ["a", "b", "c"]) track(s, { type: "copy-start", instance: "db1", file: f, key: `k/${f}`, size: 10 * MiB }, T);
    for (const f of ["a", "b"]) track(s, { type: "copied", instance: "db1", file: f, key: `k/${f}`, reason: "new", bytesRead: 10 * MiB, bytesWritten: MiB, ms: 1000 }, T + 2000);
    // "c" changed under its copy: no event ends it; the next round plans it again.
    track(s, { type: "planned", instance: "db1", files: 1, bytes: 10 * MiB }, T + 2000);
    const f = figures(s, T + 2000);
    assert.deepEqual([f.filesDone, f.filesPlanned, f.bytesPlanned], [2, 3, 30 * MiB]);
    assert.equal(f.rate, 10 * MiB, "20 MiB in 2 s");
    assert.equal(f.etaMs, 1000, "10 MiB left at 10 MiB/s, and one file left at one file a second");
  });

  it("a terminal's line never exceeds its width, and shows the run's and the largest copy's figures", () => {
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 200 }), fc.string({ minLength: 1, maxLength: 150 }), fc.nat({ max: 5000 }), (width, file, done) => {
        const s = emptyProgress();
        track(s, { type: "planned", instance: "db-instance-1", files: done + 2, bytes: 3 * 1024 * MiB }, T);
        track(s, { type: "copy-start", instance: "db-instance-1", file, key: "k", size: 2 * 1024 * MiB }, T);
        track(s, { type: "progress", instance: "db-instance-1", file, bytesRead: 512 * MiB, size: 2 * 1024 * MiB }, T + 20_000);
        const line = renderLine(s, T + 20_000, width);
        return line.length <= width && line.startsWith(`0/${done + 2} files`);
      }),
    );
    const s = emptyProgress();
    track(s, { type: "planned", instance: "db1", files: 2, bytes: 2 * 1024 * MiB }, T);
    track(s, { type: "copy-start", instance: "db1", file: "error/postgresql.log.2024-10-01-12", key: "k", size: 2 * 1024 * MiB }, T);
    track(s, { type: "progress", instance: "db1", file: "error/postgresql.log.2024-10-01-12", bytesRead: 512 * MiB, size: 2 * 1024 * MiB }, T + 16_000);
    assert.equal(
      renderLine(s, T + 16_000, 160),
      "0/2 files, 512.0 MiB/2.0 GiB, 32.0 MiB/s, ETA 48s | db1 error/postgresql.log.2024-10-01-12 512.0 MiB/2.0 GiB 32.0 MiB/s ETA 48s",
    );
    // Narrower: the name shortened, then the copy's rate dropped, then (80 columns) the copy left out.
    assert.equal(renderLine(s, T + 16_000, 110), "0/2 files, 512.0 MiB/2.0 GiB, 32.0 MiB/s, ETA 48s | db1 error/po…10-01-12 512.0 MiB/2.0 GiB 32.0 MiB/s ETA 48s");
    assert.equal(renderLine(s, T + 16_000, 95), "0/2 files, 512.0 MiB/2.0 GiB, 32.0 MiB/s, ETA 48s | db1 error/…-01-12 512.0 MiB/2.0 GiB ETA 48s");
    assert.equal(renderLine(s, T + 16_000, 79), "0/2 files, 512.0 MiB/2.0 GiB, 32.0 MiB/s, ETA 48s");
    assert.equal(renderPlain(s, T + 16_000), "progress: 0/2 files, 512.0 MiB/2.0 GiB, 32.0 MiB/s, ETA 48s; copying db1 error/postgresql.log.2024-10-01-12 512.0 MiB/2.0 GiB 32.0 MiB/s ETA 48s");
  });

  function drive(isTTY: boolean) {
    let now = T;
    const lines: string[] = [];
    const raw: string[] = [];
    const r = progressReporter({ line: (t) => lines.push(t), raw: (t) => raw.push(t), isTTY, columns: 100, now: () => now, intervalMs: 5000, progress: true, problems: true });
    r.onEvent({ type: "planned", instance: "db1", files: 3001, bytes: 3001 * 1024 });
    for (let i = 0; i < 3000; i++) {
      now += 10;
      r.onEvent({ type: "copy-start", instance: "db1", file: `trace/f${i}.trc`, key: `k${i}`, size: 1024 });
      r.onEvent({ type: "copied", instance: "db1", file: `trace/f${i}.trc`, key: `k${i}`, reason: "new", bytesRead: 1024, bytesWritten: 100, ms: 10 });
      if (i === 1500) r.onEvent({ type: "copy-start", instance: "db1", file: "trace/bad.trc", key: "kb", size: 1024 });
      if (i === 1500) r.onEvent({ type: "failed", instance: "db1", file: "trace/bad.trc", key: "kb", reason: "InternalError: boom", code: "InternalError" });
    }
    r.finish(report([instance({ failed: [{ file: "trace/bad.trc", key: "kb", reason: "InternalError: boom" }] })]));
    return { lines, raw };
  }

  it("in a pipe: a plain line per interval through a long backfill of small files, and each problem once", () => {
    const { lines, raw } = drive(false);
    const progress = lines.filter((l) => l.startsWith("progress: "));
    // 30 s of copies, a line every 5 s.
    assert.ok(progress.length >= 5 && progress.length <= 6, progress.join("\n"));
    assert.match(progress[0], /^progress: 49\d\/3001 files, .*, 100\.0 KiB\/s, ETA 2[45]s/);
    assert.match(progress[progress.length - 1], /^progress: \d+\/3001 files, .*; copying 1 small file\(s\)$/);
    assert.deepEqual(lines.filter((l) => l.includes("bad.trc")), ["rds-log-archiver: db1 trace/bad.trc: failed: InternalError: boom; the next run tries it again"]);
    assert.deepEqual(raw, []);
  });

  it("on a terminal: one line updated in place, cleared for a problem and at the end", () => {
    const { lines, raw } = drive(true);
    assert.deepEqual(lines, ["rds-log-archiver: db1 trace/bad.trc: failed: InternalError: boom; the next run tries it again"]);
    assert.ok(raw.length > 100, `${raw.length} redraws`);
    assert.ok(raw.every((t) => t.startsWith("\r\x1b[2K") && !t.includes("\n")));
    assert.equal(raw[raw.length - 1], "\r\x1b[2K", "the line is cleared before the summary");
    assert.ok(raw.filter((t) => t.length > 4).every((t) => t.length - 4 <= 99));
  });

  it("a problem the events did not tell (a file that kept changing, an unknown cluster) is printed at the end, once", () => {
    const lines: string[] = [];
    const r = progressReporter({ line: (t) => lines.push(t), isTTY: false, now: () => T, progress: true, problems: true });
    r.onEvent({ type: "failed", instance: "db1", file: "a", key: "ka", reason: "InternalError: x", code: "InternalError" });
    r.finish(
      report(
        [instance({ failed: [{ file: "a", key: "ka", reason: "InternalError: x" }, { file: "b", key: "kb", reason: "changed during copy; retried next run" }] })],
        { errors: [{ target: "ghost-cluster", code: "DBClusterNotFoundFault", message: "not found" }] },
      ),
    );
    assert.deepEqual(lines, [
      "rds-log-archiver: db1 a: failed: InternalError: x; the next run tries it again",
      "rds-log-archiver: db1 b: failed: changed during copy; retried next run; the next run tries it again",
      "rds-log-archiver: ghost-cluster: failed: DBClusterNotFoundFault: not found; check the cluster id, --region and --profile",
    ]);
  });
});

describe("CLI plan and summary", () => {
  const longName = `trace/${"very_long_session_trace_name_".repeat(6)}.trc`;
  const key = `orders-cluster/trace/2024/10/01/12/orders-cluster-instance-1/${longName.slice(6)}.gz`;
  const busy = instance({
    instance: "orders-cluster-instance-1", group: "orders-cluster", listed: 4,
    planned: [{ file: longName, key, reason: "new", size: 3 * 1024 * MiB }],
    skipped: [
      { file: "error/postgresql.log", reason: "active: archived once closed", size: 2048, skip: "waiting" },
      { file: "error/postgresql.log.2024-10-01-10", reason: "already archived", size: 100, skip: "archived", key: "k" },
    ],
    failed: [{ file: "trace/a:b", reason: "cannot map to a safe key: a colon", size: 10 }],
  });
  const ghost = instance({ instance: "ghost-db", group: "ghost-db", error: { code: "DBInstanceNotFound", message: "DBInstance ghost-db not found." } });

  it("a dry run's plan fits 120 columns, with human sizes and the instance errors in it", () => {
    const plan = formatPlan(report([busy, ghost], { dryRun: true, ok: false }));
    for (const line of plan.split("\n")) assert.ok(line.length <= MAX_WIDTH, `${line.length}: ${line}`);
    assert.match(plan, /^orders-cluster-instance-1 +copy \(new\) +3\.0 GiB +trace\/very_long.*…/m);
    assert.match(plan, /^orders-cluster-instance-1 +wait +2\.0 KiB +error\/postgresql\.log +active: archived once closed$/m);
    assert.match(plan, /^orders-cluster-instance-1 +REJECT +10 B +trace\/a:b +cannot map to a safe key: a colon$/m);
    assert.match(plan, /^ghost-db +ERROR .*DBInstanceNotFound/m);
    assert.match(plan, /^ERROR ghost-db: DBInstanceNotFound: DBInstance ghost-db not found\.; check the instance id, --region and --profile$/m);
    assert.match(plan, /^dry run: 1 file\(s\) to copy, 3\.0 GiB; nothing written to s3:\/\/archive-test\nskipped: 1 already archived, 1 waiting \(active\), 0 excluded\nproblems: 1 target\(s\) failed, 1 file\(s\) rejected$/m);
  });

  it("the summary is an aligned table, then one total line with the elapsed time and rate", () => {
    const done = instance({
      listed: 12, copied: [{ file: "a", reason: "new" }], bytesRead: 130 * MiB, bytesWritten: 13 * MiB, oldestUnarchived: T + 65_000 - 3 * 3_600_000,
      skipped: [{ file: "x", reason: "excluded by --include", skip: "excluded" }], deferred: [{ file: "d", reason: "no time left" }],
    });
    const out = formatSummary(report([done, ghost], { ok: false }));
    const lines = out.split("\n");
    const header = lines[0];
    assert.match(header, /^INSTANCE +LISTED +COPIED +ARCHIVED +WAITING +EXCLUDED +FAILED +DEFERRED +BYTES +MiB\/s +OLDEST UNARCHIVED$/);
    // Right-aligned numbers: each value ends where its header ends.
    for (const [row, values] of [[lines[1], ["12", "1", "0", "0", "1", "0", "1", "130.0 MiB", "2.00"]], [lines[2], ["-", "-", "-", "-", "-", "1", "-", "-", "-"]]] as const) {
      ["LISTED", "COPIED", "ARCHIVED", "WAITING", "EXCLUDED", "FAILED", "DEFERRED", "BYTES", "MiB/s"].forEach((h, i) => {
        const end = header.indexOf(h) + h.length;
        assert.equal(row.slice(end - values[i].length, end), values[i], `${h} in ${row}`);
      });
    }
    assert.match(lines[1], /3h00m ago$/);
    assert.match(lines[2], /error: DBInstanceNotFound$/);
    assert.equal(lines[4], "INCOMPLETE: 2 instance(s), 1 copied, 0 already archived, 0 waiting, 1 excluded, 1 failed, 1 deferred; 130.0 MiB in 1m05s (2.0 MiB/s), 13.0 MiB stored");
    for (const line of lines.slice(0, 3)) assert.ok(line.length <= MAX_WIDTH, line);
  });

  it("warns of an --include prefix only when no listed file of any listed instance starts with it", () => {
    const r = report([instance({ skipped: [{ file: "error/x", reason: "excluded by --include", skip: "excluded" }], copied: [{ file: "audit/a", reason: "new" }] }), ghost]);
    assert.deepEqual(unmatchedIncludes(r, ["audit/", "zzz/", "error/"]), ["zzz/", "error/"]);
    assert.deepEqual(unmatchedIncludes(report([ghost]), ["zzz/"]), [], "nothing was listed: nothing to say about the prefixes");
  });

  it("formats durations and tables", () => {
    assert.deepEqual([0, 45_000, 125_000, 3 * 3_600_000 + 7 * 60_000, 50 * 3_600_000].map(formatDuration), ["0s", "45s", "2m05s", "3h07m", "2d02h"]);
    assert.equal(truncateMiddle("abcdefghij", 5), "ab…ij");
    fc.assert(fc.property(fc.string(), fc.integer({ min: 1, max: 50 }), (s, w) => truncateMiddle(s, w).length === Math.min(s.length, w)));
    assert.deepEqual(formatTable([["A", "NUM"], ["long", "1"]], ["left", "right"]), ["A     NUM", "long    1"]);
  });
});
