import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import {
  AUDIT_ACTIVE,
  AuroraAuditModel,
  EngineModel,
  MYSQL_ACTIVE,
  MYSQL_STAGING,
  MysqlAuditModel,
  MysqlHourlyModel,
  PostgresModel,
  SQLSERVER_ACTIVE,
  SqlServerModel,
  postgresName,
} from "./engines";
import { Ledger, parseLine } from "./ledger";
import { SeededRandom } from "../../local-aws/seeded-random";
import { DAY, HOUR, MINUTE, floorTo } from "./time";

const T0 = Date.UTC(2024, 9, 1, 0, 0);

function setup(seed = 1) {
  const rng = new SeededRandom(seed);
  const ledger = new Ledger(rng.fork("ledger"));
  return { rng, ledger };
}

/** Invariants every model keeps at every step: served bytes are the lines, each line lives in one file. */
function checkInvariants(model: EngineModel): void {
  const where = new Map<string, string>();
  for (const f of model.files()) {
    const plain = f.compressed ? gunzipSync(f.served()) : f.served();
    assert.equal(plain.toString("utf8"), f.lines.map((l) => l + "\n").join(""), `${f.name}: bytes are its lines`);
    assert.equal(f.size, f.served().length, `${f.name}: size is the served length`);
    for (const line of f.lines) {
      assert.ok(!where.has(line), `${line} is in ${where.get(line)} and ${f.name}`);
      where.set(line, f.name);
      const p = parseLine(line)!;
      assert.ok(p, `parsable: ${line}`);
      assert.equal(p.instance, model.instance);
      assert.ok(p.at <= f.lastWritten, `${f.name}: LastWritten ${f.lastWritten} before its line at ${p.at}`);
    }
  }
}

/** Advances the model step by step; full invariants are checked every `every` (they decode every file). */
function run(model: EngineModel, until: number, step = MINUTE, each?: (t: number) => void, every = 3 * HOUR): void {
  for (let t = model.now + step; t <= until; t += step) {
    model.advanceTo(t);
    if (t % every < step || t + step > until) checkInvariants(model);
    each?.(t);
  }
}

describe("sim engine models", () => {
  it("lines are unique, parsable and multibyte", () => {
    const { ledger } = setup();
    const a = ledger.write("db-1", "general", T0);
    const b = ledger.write("db-1", "general", T0);
    assert.notEqual(a, b);
    assert.deepEqual({ ...parseLine(a)!, payload: "" }, { at: T0, instance: "db-1", stream: "general", seq: 1, payload: "" });
    assert.equal(parseLine(b)!.seq, 2);
    const many = Array.from({ length: 200 }, () => ledger.write("db-1", "x", T0)).join("");
    assert.ok(Buffer.byteLength(many) > many.length * 1.1, "payloads are mostly multibyte");
    assert.ok(!many.includes("\n") && !many.includes("\r"));
  });

  it("mysql hourly: .H files per hour, yesterday's .H replaced, staging flushed every 5 min, 24 h retention", () => {
    const { rng, ledger } = setup(2);
    const m = new MysqlHourlyModel({ instance: "my-1", ledger, rng, start: T0, linesPerHour: 240 });
    const seenSlow = new Map<string, number>(); // name -> LastWritten seen at the previous hour
    let replaced = 0;
    run(m, T0 + 2 * DAY, MINUTE, (t) => {
      // The staging buffer never holds lines older than the last 5-minute flush.
      for (const line of m.file(MYSQL_STAGING)!.lines) assert.ok(parseLine(line)!.at >= floorTo(t, 5 * MINUTE));
      if (t % HOUR !== 0) return;
      const h = new Date(t - 1).getUTCHours();
      for (const active of Object.values(MYSQL_ACTIVE)) {
        assert.equal(m.file(active)!.lines.length, 0, `${active} starts empty`);
        const rotated = m.file(`${active}.${h}`)!;
        assert.ok(rotated, `${active}.${h} exists`);
        assert.equal(rotated.open, false);
        for (const line of rotated.lines) {
          const at = parseLine(line)!.at;
          assert.ok(at >= t - HOUR && at < t, `${rotated.name} holds only hour ${h}: ${line.slice(0, 30)}`);
        }
      }
      const name = `${MYSQL_ACTIVE.slowquery}.${h}`;
      if (seenSlow.has(name)) replaced++;
      seenSlow.set(name, m.file(name)!.lastWritten);
      // Only names .0 .. .23 besides the actives and the staging file; nothing older than 24 h.
      for (const f of m.files()) {
        assert.match(f.name, /^(slowquery\/mysql-slowquery\.log|general\/mysql-general\.log|error\/mysql-error-running\.log)(\.(\d|1\d|2[0-3]))?$|^error\/mysql-error\.log$/);
        if (!f.open) assert.ok(f.lastWritten >= t - DAY - HOUR, `${f.name} is past retention`);
      }
    });
    assert.ok(replaced >= 20, "yesterday's .H names came back with new content");
    const errorLines = [...ledger.lines.values()].filter((r) => r.stream === "error").length;
    assert.ok(errorLines > 50);
  });

  it("mysql hourly: a flush on the hour gives the rotated error file a LastWritten of exactly H+1:00", () => {
    const { rng, ledger } = setup(3);
    const m = new MysqlHourlyModel({ instance: "my-1", ledger, rng, start: T0, linesPerHour: 600, weights: { slowquery: 0, general: 0, error: 1 } });
    m.advanceTo(T0 + HOUR);
    const f = m.file(`${MYSQL_ACTIVE.error}.0`)!;
    assert.ok(f.lines.length > 0);
    assert.equal(f.lastWritten, T0 + HOUR);
    assert.equal(m.file(MYSQL_STAGING)!.lines.length, 0);
  });

  it("mysql audit: size rotation, a 9-deep chain, renames keep LastWritten, bursts in one ms share it", () => {
    const { rng, ledger } = setup(4);
    const m = new MysqlAuditModel({
      instance: "my-1",
      ledger,
      rng,
      start: T0,
      linesPerHour: 300,
      thresholdBytes: 5000,
      bursts: [{ at: T0 + 3 * HOUR + 17, lines: 150, spreadMs: 0 }],
    });
    const lw = new Map<string, number>(); // first line of a file -> its LastWritten
    run(m, T0 + 6 * HOUR, MINUTE, () => {
      const members = m.files().filter((f) => f.name !== AUDIT_ACTIVE);
      assert.ok(members.length <= 9);
      for (const f of members) {
        assert.match(f.name, /^audit\/server_audit\.log\.[1-9]$/);
        assert.ok(!f.open);
        const key = f.lines[0];
        if (lw.has(key)) assert.equal(f.lastWritten, lw.get(key), `${f.name} kept its LastWritten through renames`);
        lw.set(key, f.lastWritten);
      }
    });
    assert.ok(m.rotationCount > 15, `rotated ${m.rotationCount} times`);
    const byLw = new Map<number, number>();
    for (const f of m.files()) if (f.name !== AUDIT_ACTIVE) byLw.set(f.lastWritten, (byLw.get(f.lastWritten) ?? 0) + 1);
    const unarchivable = ledger.classify(m.files()).unarchivable.size;
    assert.ok(unarchivable > 0, "lines fell off .9 without any sync: unarchivable");
    // The same-millisecond burst rotated several times at one instant.
    const { rng: r2, ledger: l2 } = setup(5);
    const b = new MysqlAuditModel({ instance: "my-2", ledger: l2, rng: r2, start: T0, linesPerHour: 0, thresholdBytes: 3000, bursts: [{ at: T0 + 5, lines: 120, spreadMs: 0 }] });
    b.advanceTo(T0 + MINUTE);
    checkInvariants(b);
    const same = b.files().filter((f) => f.name !== AUDIT_ACTIVE && f.lastWritten === T0 + 5);
    assert.ok(same.length >= 3, `${same.length} members share LastWritten`);
  });

  it("mysql audit: rotate() race renames the chain; closeActive() rotates a non-empty active", () => {
    const { rng, ledger } = setup(6);
    const m = new MysqlAuditModel({ instance: "my-1", ledger, rng, start: T0, linesPerHour: 200, thresholdBytes: 4000 });
    m.advanceTo(T0 + HOUR);
    const before = m.file(`${AUDIT_ACTIVE}.1`)!.lines[0];
    assert.ok(m.rotate(`${AUDIT_ACTIVE}.1`));
    assert.equal(m.file(`${AUDIT_ACTIVE}.2`)!.lines[0], before);
    m.advanceTo(T0 + HOUR + 5 * MINUTE);
    const activeLines = m.file(AUDIT_ACTIVE)!.lines.length;
    assert.ok(activeLines > 0);
    m.closeActive();
    assert.equal(m.file(AUDIT_ACTIVE)!.lines.length, 0);
    assert.equal(m.file(`${AUDIT_ACTIVE}.1`)!.lines.length, activeLines);
    checkInvariants(m);
  });

  it("aurora audit: 4 writers, names, out-of-order lines, size rollover, silent writers, closed files", () => {
    const { rng, ledger } = setup(7);
    const m = new AuroraAuditModel({ instance: "au-1", ledger, rng, start: T0, linesPerHour: 400, thresholdBytes: 8000, silentChance: 0.3 });
    run(m, T0 + 30 * HOUR, MINUTE, (t) => {
      if (t % (20 * MINUTE) !== 0) return;
      for (const f of m.files()) {
        const mm = /^audit\/audit\.log\.([0-3])\.(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})\.(\d+)$/.exec(f.name);
        assert.ok(mm, f.name);
        const stamp = Date.UTC(+mm[2], +mm[3] - 1, +mm[4], +mm[5], +mm[6]);
        if (stamp + HOUR <= t) assert.ok(!f.open, `${f.name} is closed after its hour`);
        for (const line of f.lines) assert.equal(parseLine(line)!.stream, `audit.${mm[1]}`);
        if (!f.open) assert.ok(f.lastWritten >= t - DAY - MINUTE);
      }
    });
    const names = m.files().map((f) => f.name);
    assert.ok(names.some((n) => /\.[2-9]$/.test(n)), "size rollover increments n");
    assert.ok(m.sizeRotations > 0);
    // Lines across files are not in time order: some file ends after another one of the same hour begins.
    const hours = new Map<string, { first: number; last: number }[]>();
    for (const f of m.files()) {
      if (f.lines.length === 0) continue;
      const stamp = f.name.split(".").slice(-2, -1)[0];
      const span = { first: parseLine(f.lines[0])!.at, last: parseLine(f.lines[f.lines.length - 1])!.at };
      hours.set(stamp, [...(hours.get(stamp) ?? []), span]);
    }
    assert.ok([...hours.values()].some((spans) => spans.some((a) => spans.some((b) => a !== b && b.first < a.last && a.first < b.last))));
    // Some writer was silent for a whole hour: fewer than 4 writers have a file for some stamp.
    const writersPerStamp = new Map<string, Set<string>>();
    for (const n of names) {
      const [, k, stamp] = /audit\.log\.(\d)\.([\d-]+)\./.exec(n)!;
      writersPerStamp.set(stamp, (writersPerStamp.get(stamp) ?? new Set()).add(k));
    }
    assert.ok([...writersPerStamp.values()].some((s) => s.size < 4));
  });

  it("aurora audit: minute-stamp size rollover opens a new stamp", () => {
    const { rng, ledger } = setup(8);
    const m = new AuroraAuditModel({ instance: "au-1", ledger, rng, start: T0, linesPerHour: 600, thresholdBytes: 3000, sizeRotation: "minute-stamp" });
    run(m, T0 + 3 * HOUR);
    assert.ok(m.files().some((f) => /-\d{2}-(?!00)\d{2}\.1$/.test(f.name)), m.files().map((f) => f.name).join(" "));
  });

  it("postgres: hourly files (eager and lazy), .gz after 3 h with compressed size, 3-day retention", () => {
    for (const createAtBoundary of [true, false]) {
      const { rng, ledger } = setup(9);
      const m = new PostgresModel({
        instance: "pg-1",
        ledger,
        rng,
        start: T0,
        linesPerHour: 120,
        createAtBoundary,
        silences: [{ from: T0 + 5 * HOUR, to: T0 + 7 * HOUR }],
      });
      let silentHourFile: boolean | undefined;
      run(m, T0 + 4 * DAY, 5 * MINUTE, (t) => {
        if (t === T0 + DAY) silentHourFile = m.file(`${postgresName(T0 + 5 * HOUR)}.gz`) !== undefined;
        if (t % HOUR !== 0) return;
        const current = m.file(postgresName(t));
        if (createAtBoundary) assert.ok(current && current.open && current.lines.length === 0, "created at the boundary");
        else assert.equal(current, undefined, "created lazily");
        for (const f of m.files()) {
          const hourMatch = /(\d{4})-(\d{2})-(\d{2})-(\d{2})/.exec(f.name)!;
          const hour = Date.UTC(+hourMatch[1], +hourMatch[2] - 1, +hourMatch[3], +hourMatch[4]);
          assert.equal(f.compressed, hour + 4 * HOUR <= t, `${f.name} compressed ${f.compressed} at ${new Date(t).toISOString()}`);
          assert.equal(f.name.endsWith(".gz"), f.compressed);
          if (f.compressed) assert.ok(f.size < f.plain().length || f.lines.length === 0);
          assert.ok(f.lastWritten >= t - 3 * DAY - 5 * MINUTE, `${f.name} past retention`);
        }
      });
      // The silent hours left empty files only when created at the boundary (by now they are gzipped).
      assert.equal(silentHourFile, createAtBoundary);
      assert.ok(m.files().length >= 70 && m.files().length <= 74, `${m.files().length} files for 3 days`);
    }
  });

  it("postgres: rotate() race compresses a closed file, grow() appends to a closed file", () => {
    const { rng, ledger } = setup(10);
    const m = new PostgresModel({ instance: "pg-1", ledger, rng, start: T0, linesPerHour: 120 });
    m.advanceTo(T0 + 2 * HOUR);
    const name = postgresName(T0);
    assert.ok(m.grow(name, 2));
    assert.ok(m.rotate(name));
    assert.ok(m.file(`${name}.gz`)?.compressed);
    assert.ok(!m.grow(`${name}.gz`, 1));
    assert.ok(!m.rotate(postgresName(T0 + 2 * HOUR)), "the open file is not compressed");
    checkInvariants(m);
  });

  it("sqlserver: daily and restart cycles, a 6-deep chain, same-ms series", () => {
    const { rng, ledger } = setup(11);
    const m = new SqlServerModel({ instance: "ms-1", ledger, rng, start: T0 + 1, linesPerHour: 60, restartsPerDay: 10, seriesChance: 0.5 });
    let sawEqual = false;
    run(m, T0 + 3 * DAY, MINUTE, (t) => {
      const members = m.files().filter((f) => f.name !== SQLSERVER_ACTIVE);
      assert.ok(members.length <= 6);
      for (const f of members) assert.match(f.name, /^log\/ERROR\.[1-6]$/);
      const lws = members.map((f) => f.lastWritten);
      if (new Set(lws).size < lws.length) sawEqual = true;
      if (t % DAY === 0) assert.ok(m.file(`${SQLSERVER_ACTIVE}.1`)!.lastWritten < t, "daily cycle at 00:00");
    });
    assert.ok(m.cycles >= 3 + 6, `${m.cycles} cycles`);
    assert.ok(sawEqual, "some chain members shared a LastWritten");
  });

  it("ledger: archivable only once seen closed at a sync; drops during that sync unmark", () => {
    const { rng, ledger } = setup(12);
    const m = new MysqlAuditModel({ instance: "my-1", ledger, rng, start: T0, linesPerHour: 600, thresholdBytes: 3000 });
    m.advanceTo(T0 + 10 * MINUTE);
    const s0 = ledger.beginSync(m.files());
    ledger.endSync(s0);
    const seen = m.files().filter((f) => !f.open).flatMap((f) => f.lines);
    assert.ok(seen.length > 0);
    const s1 = ledger.beginSync(m.files());
    const fresh = m.files().filter((f) => !f.open).flatMap((f) => f.lines).filter((l) => !seen.includes(l));
    // A file that the running sync exposed first can vanish; one an earlier sync saw cannot.
    const oldFile = m.files().find((f) => !f.open && f.lines.some((l) => seen.includes(l)))!;
    assert.equal(m.vanish(oldFile.name), false);
    const freshFile = m.files().find((f) => !f.open && f.lines.every((l) => fresh.includes(l)));
    if (freshFile) assert.equal(m.vanish(freshFile.name), true);
    ledger.endSync(s1);
    const classes = ledger.classify(m.files());
    for (const l of seen) assert.ok(classes.required.has(l));
    if (freshFile) for (const l of freshFile.lines) assert.ok(classes.unarchivable.has(l));
    for (const l of m.file(AUDIT_ACTIVE)!.lines) assert.ok(classes.pending.has(l));
    assert.equal(classes.required.size + classes.pending.size + classes.unarchivable.size, classes.written.size);
  });
});
