import assert from "node:assert/strict";
import fc from "fast-check";
import { lineTime } from "../../archiver/read-back/line-time";
import { mergeByTime, timedLines, type TimedLine } from "../../archiver/read-back/merge-lines";
import { floorHour, hoursToList, HOUR_MS, mayHoldLinesBefore, READ_AFTER_MS, READ_BEFORE_MS } from "../../archiver/read-back/read-plan";
import { parseTime, parseTimeRange } from "../../archiver/read-back/time-range";

const NOW = Date.UTC(2024, 9, 1, 12, 34, 56, 789);
// Whole milliseconds between 1970 and 9999.
const anyTime = fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });

describe("read-back/time-range", () => {
  it("reads ISO 8601 UTC times back exactly, in every precision it accepts", () => {
    fc.assert(
      fc.property(anyTime, (t) => {
        const iso = new Date(t).toISOString();
        assert.equal(parseTime(iso, NOW), t);
        assert.equal(parseTime(iso.replace("T", " "), NOW), t);
        assert.equal(parseTime(`${iso.slice(0, 19)}Z`, NOW), t - (t % 1000));
        assert.equal(parseTime(iso.slice(0, 16), NOW), t - (t % 60_000));
        assert.equal(parseTime(iso.slice(0, 10), NOW), t - (t % 86_400_000));
      }),
    );
  });

  it("an offset moves the time by exactly that offset", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), fc.integer({ min: -14 * 60, max: 14 * 60 }), (t, minutes) => {
        const local = new Date(t + minutes * 60_000).toISOString().slice(0, 23);
        const sign = minutes < 0 ? "-" : "+";
        const abs = Math.abs(minutes);
        const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
        assert.equal(parseTime(local + zone, NOW), t);
      }),
    );
  });

  it("relative times count back from now", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(["s", 1000], ["m", 60_000], ["h", 3_600_000], ["d", 86_400_000]), (n, [unit, ms]) => {
        assert.equal(parseTime(`${n}${unit}`, NOW), NOW - n * (ms as number));
      }),
    );
    assert.equal(parseTime("now", NOW), NOW);
  });

  it("rejects what is not a time, naming it", () => {
    for (const bad of ["", "yesterday", "2h ago", "2024-13-01", "2024-02-30T00:00Z", "2024-10-01T24:00Z", "2024-10-01T12:60", "-2h", "2.5h", "12:00"]) {
      const r = parseTime(bad, NOW);
      assert.ok(typeof r === "object" && r.error.includes(JSON.stringify(bad)), `${bad}: ${JSON.stringify(r)}`);
    }
  });

  it("a range: --from after --to is an error; --to defaults to now; --from is required", () => {
    fc.assert(
      fc.property(anyTime, anyTime, (a, b) => {
        const r = parseTimeRange(new Date(a).toISOString(), new Date(b).toISOString(), NOW);
        if (a > b) assert.match((r as { error: string }).error, /--from .* is after --to/);
        else assert.deepEqual(r, { from: a, to: b });
      }),
    );
    assert.deepEqual(parseTimeRange("2h", undefined, NOW), { from: NOW - 2 * HOUR_MS, to: NOW });
    assert.deepEqual(parseTimeRange("30m", "10m", NOW), { from: NOW - 30 * 60_000, to: NOW - 10 * 60_000 });
    assert.match((parseTimeRange("10m", "30m", NOW) as { error: string }).error, /after --to/);
    assert.match((parseTimeRange(undefined, "now", NOW) as { error: string }).error, /--from is required/);
    assert.match((parseTimeRange("soon", "now", NOW) as { error: string }).error, /^--from: "soon" is not a time/);
  });
});

describe("read-back/line-time", () => {
  it("reads the time of the line formats RDS engines write", () => {
    const t = Date.UTC(2024, 9, 1, 2, 10, 5, 123);
    assert.equal(lineTime("2024-10-01T02:10:05.123456Z 123 [Note] InnoDB: ready"), t);
    assert.equal(lineTime("2024-10-01 02:10:05.123 UTC:10.0.0.1(5432):app@db:[77]:LOG:  statement"), t);
    assert.equal(lineTime("2024-10-01 02:10:05 UTC::@:[77]:LOG:  checkpoint"), t - 123);
    assert.equal(lineTime("# Time: 2024-10-01T02:10:05.123456Z"), t);
    assert.equal(lineTime("20241001 02:10:05,ip-10-0-0-1,app,10.0.0.2,12,34,QUERY,db,'select 1',0"), t - 123);
    assert.equal(lineTime("2024-10-01 04:10:05.12 +02:00 spid5s  Server started"), t - 3);
    assert.equal(lineTime("# User@Host: app[app] @ [10.0.0.2]"), undefined);
    assert.equal(lineTime("    SELECT 1;"), undefined);
  });

  it("reads back any ISO time written at the start of a line", () => {
    fc.assert(fc.property(anyTime, fc.string(), (t, rest) => assert.equal(lineTime(`${new Date(t).toISOString()} ${rest}`), t)));
  });
});

describe("read-back/read-plan", () => {
  it("lists every hour from the one before --from to READ_AFTER_MS past --to, and no other", () => {
    fc.assert(
      fc.property(anyTime, fc.integer({ min: 0, max: 3 * 86_400_000 }), (from, span) => {
        const range = { from, to: from + span };
        const hours = hoursToList(range);
        assert.equal(hours[0], floorHour(from - READ_BEFORE_MS));
        assert.equal(hours.at(-1), floorHour(Math.max(from, range.to - 1) + READ_AFTER_MS));
        hours.forEach((h, i) => i > 0 && assert.equal(h - hours[i - 1], HOUR_MS));
      }),
    );
  });

  it("a dated object starting at or after --to is not read; any other may hold earlier lines", () => {
    const to = Date.UTC(2024, 9, 1, 12, 30);
    assert.equal(mayHoldLinesBefore("error/postgresql.log.2024-10-01-12", to), true);
    assert.equal(mayHoldLinesBefore("error/postgresql.log.2024-10-01-13", to), false);
    assert.equal(mayHoldLinesBefore("audit/audit.log.2.2024-10-01-12-30.0", to), false);
    assert.equal(mayHoldLinesBefore("audit/server_audit.log.20241001T183015412Z", to), true);
    assert.equal(mayHoldLinesBefore("ERROR.20241002T000000000Z", to), true);
  });
});

describe("read-back/merge-lines", () => {
  async function* lines(texts: string[]) {
    yield* texts;
  }
  async function collect(it: AsyncIterable<TimedLine>) {
    const out: TimedLine[] = [];
    for await (const l of it) out.push(l);
    return out;
  }

  it("merges time-ordered sources into one time-ordered sequence holding every line once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }), { maxLength: 6 }), async (sources) => {
        const texts = sources.map((times, s) => [...times].sort((a, b) => a - b).map((t, i) => `${new Date(t).toISOString()} s${s} #${i}`));
        const merged = await collect(mergeByTime(texts.map((t) => timedLines({ lines: lines(t), fallbackTime: 0 }, lineTime)[Symbol.asyncIterator]())));
        assert.deepEqual(merged.map((l) => l.text).sort(), texts.flat().sort());
        merged.forEach((l, i) => i > 0 && assert.ok(l.time >= merged[i - 1].time));
      }),
    );
  });

  it("a line without a time stays with the line before it", async () => {
    const a = ["1970-01-01T00:00:00.005Z a1", "  a1 continued", "1970-01-01T00:00:00.009Z a2"];
    const b = ["b0 before any time", "1970-01-01T00:00:00.007Z b1", "  b1 continued"];
    const merged = await collect(mergeByTime([a, b].map((t, i) => timedLines({ lines: lines(t), fallbackTime: i, prefix: i ? "B " : "" }, lineTime)[Symbol.asyncIterator]())));
    assert.deepEqual(merged.map((l) => l.text), ["B b0 before any time", "1970-01-01T00:00:00.005Z a1", "  a1 continued", "B 1970-01-01T00:00:00.007Z b1", "B   b1 continued", "1970-01-01T00:00:00.009Z a2"]);
  });
});
