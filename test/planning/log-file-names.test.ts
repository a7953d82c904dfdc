import assert from "node:assert/strict";
import fc from "fast-check";
import {
  baseName,
  chainRanks,
  classifyListing,
  isChainActiveFile,
  isClosed,
  parseDatedName,
  slotPeriodStart,
  type ClassifiedFile,
  type ListedFile,
} from "../../archiver/planning/log-file-names";
import { DAY, HOUR, MINUTE, T0, at, classifyOneIn, file, ofKind } from "./helpers";

const GRACE = 5 * MINUTE;
const QUIET = HOUR;

function kindOf(listing: ListedFile[], name: string): string {
  return classifyOneIn(listing, name).kind;
}

function closedAt(listing: ListedFile[], name: string, now: number, graceMs = GRACE, quietMs = QUIET): boolean {
  const all = classifyListing(listing);
  const f = all.find((c) => c.file.name === name)!;
  return isClosed(f, all, { now, graceMs, quietMs });
}

describe("planning/log-file-names", () => {
  describe("baseName", () => {
    it("is the part after the last slash", () => {
      assert.equal(baseName("error/postgresql.log.2024-10-01-12"), "postgresql.log.2024-10-01-12");
      assert.equal(baseName("a/b/c"), "c");
      assert.equal(baseName("ERROR"), "ERROR");
      assert.equal(baseName("error/"), "");
      assert.equal(baseName("/mysql-error.log"), "mysql-error.log");
      assert.equal(baseName("/"), "");
    });
  });

  describe("classification, engine by engine", () => {
    it("MySQL old style: the active slow query log and its hourly slots .0 .. .23", () => {
      const listing = [file("slowquery/mysql-slowquery.log"), ...Array.from({ length: 24 }, (_, h) => file(`slowquery/mysql-slowquery.log.${h}`))];
      const all = classifyListing(listing);
      assert.equal(all[0].kind, "active");
      for (let h = 0; h < 24; h++) {
        assert.equal(ofKind(all[h + 1], "hourly-slot").slotHour, h);
        assert.equal("dated" in all[h + 1], false);
      }
    });

    it("MySQL hourly slots are recognised without the active file listed, for general and error-running too", () => {
      for (const name of ["slowquery/mysql-slowquery.log.0", "general/mysql-general.log.23", "error/mysql-error-running.log.7"]) {
        const c = classifyOneIn([file(name)], name);
        assert.equal(c.kind, "hourly-slot", name);
      }
      assert.equal(ofKind(classifyOneIn([file("general/mysql-general.log.23")], "general/mysql-general.log.23"), "hourly-slot").slotHour, 23);
    });

    it("MySQL new style `.YYYY-MM-DD.HH` is dated with the stamp's hour", () => {
      const name = "slowquery/mysql-slowquery.log.2024-10-01.12";
      const c = classifyOneIn([file("slowquery/mysql-slowquery.log"), file(name)], name);
      assert.equal(c.kind, "dated");
      assert.deepEqual(c.dated, {
        logicalName: name,
        compressed: false,
        periodStart: at("2024-10-01T12:00"),
        periodEnd: at("2024-10-01T13:00"),
        writer: "slowquery/mysql-slowquery.log.{stamp}",
        rotationGroup: "slowquery/mysql-slowquery.log.",
        sequence: 0,
      });
    });

    it("MySQL error logs: mysql-error.log is staging, mysql-error-running.log is active", () => {
      const listing = [file("error/mysql-error.log"), file("error/mysql-error-running.log"), file("error/mysql-error-running.log.3")];
      assert.equal(kindOf(listing, "error/mysql-error.log"), "staging");
      assert.equal(kindOf(listing, "error/mysql-error-running.log"), "active");
      assert.equal(kindOf(listing, "error/mysql-error-running.log.3"), "hourly-slot");
      // Alone, without siblings, they keep their kinds.
      assert.equal(kindOf([file("error/mysql-error.log")], "error/mysql-error.log"), "staging");
      assert.equal(kindOf([file("error/mysql-error-running.log")], "error/mysql-error-running.log"), "active");
    });

    it("MySQL/MariaDB audit plugin: server_audit.log is active, .1 .. .9 are chain members", () => {
      const listing = [file("audit/server_audit.log"), ...Array.from({ length: 9 }, (_, i) => file(`audit/server_audit.log.${i + 1}`))];
      const all = classifyListing(listing);
      assert.equal(all[0].kind, "active");
      for (let i = 1; i <= 9; i++) {
        assert.deepEqual(ofKind(all[i], "chain-member").chain, { family: "audit/server_audit.log", index: i });
      }
      // The family is known: a member is a chain member even when the active file is not listed.
      assert.equal(kindOf([file("audit/server_audit.log.4")], "audit/server_audit.log.4"), "chain-member");
      // Alone, the active file is still active.
      assert.equal(kindOf([file("audit/server_audit.log")], "audit/server_audit.log"), "active");
    });

    it("Aurora MySQL audit `audit.log.<w>.<YYYY-MM-DD-HH-MM>.<n>`: dated, with writer, rotation group and sequence", () => {
      const name = "audit/audit.log.0.2024-10-01-12-00.1";
      const c = classifyOneIn([file(name)], name);
      assert.equal(c.kind, "dated");
      assert.deepEqual(c.dated, {
        logicalName: name,
        compressed: false,
        periodStart: at("2024-10-01T12:00"),
        periodEnd: at("2024-10-01T13:00"),
        writer: "audit/audit.log.0.{stamp}",
        rotationGroup: "audit/audit.log.",
        sequence: 1,
      });
      const other = parseDatedName("audit/audit.log.3.2024-10-01-12-37.12")!;
      assert.equal(other.writer, "audit/audit.log.3.{stamp}");
      assert.equal(other.rotationGroup, "audit/audit.log.");
      assert.equal(other.sequence, 12);
      assert.equal(other.periodStart, at("2024-10-01T12:37"));
      assert.equal(other.periodEnd, at("2024-10-01T13:00"));
    });

    it("PostgreSQL: -HH, -HHMM, .csv and .gz are dated", () => {
      const hh = parseDatedName("error/postgresql.log.2024-10-01-12")!;
      assert.deepEqual(hh, {
        logicalName: "error/postgresql.log.2024-10-01-12",
        compressed: false,
        periodStart: at("2024-10-01T12:00"),
        periodEnd: at("2024-10-01T13:00"),
        writer: "error/postgresql.log.{stamp}",
        rotationGroup: "error/postgresql.log.",
        sequence: 0,
      });
      const hhmm = parseDatedName("error/postgresql.log.2024-10-01-1230")!;
      assert.equal(hhmm.periodStart, at("2024-10-01T12:30"));
      assert.equal(hhmm.periodEnd, at("2024-10-01T13:00"));
      assert.equal(hhmm.writer, "error/postgresql.log.{stamp}");

      const csv = parseDatedName("error/postgresql.log.2024-10-01-12.csv")!;
      assert.equal(csv.logicalName, "error/postgresql.log.2024-10-01-12.csv");
      assert.equal(csv.writer, "error/postgresql.log.{stamp}.csv");
      assert.equal(csv.rotationGroup, "error/postgresql.log.", "the .csv twin rotates with the .log");
      assert.equal(csv.sequence, 0);

      const gz = parseDatedName("error/postgresql.log.2024-10-01-12.gz")!;
      assert.equal(gz.compressed, true);
      assert.equal(gz.logicalName, "error/postgresql.log.2024-10-01-12");
      assert.equal(gz.writer, hh.writer);
      assert.equal(gz.periodStart, hh.periodStart);

      const daily = parseDatedName("error/postgresql.log.2024-10-01")!;
      assert.equal(daily.periodStart, at("2024-10-01T00:00"));
      assert.equal(daily.periodEnd, at("2024-10-02T00:00"));

      for (const name of ["error/postgresql.log.2024-10-01-12", "error/postgresql.log.2024-10-01-1230", "error/postgresql.log.2024-10-01-12.csv", "error/postgresql.log.2024-10-01-12.gz"]) {
        assert.equal(kindOf([file(name)], name), "dated", name);
      }
    });

    it("SQL Server: ERROR and SQLAGENT.OUT are active, ERROR.N and SQLAGENT.N are chain members", () => {
      const listing = [file("log/ERROR"), file("log/ERROR.1"), file("log/ERROR.6"), file("log/SQLAGENT.OUT"), file("log/SQLAGENT.1")];
      assert.equal(kindOf(listing, "log/ERROR"), "active");
      assert.equal(kindOf(listing, "log/SQLAGENT.OUT"), "active");
      assert.deepEqual(ofKind(classifyOneIn(listing, "log/ERROR.1"), "chain-member").chain, { family: "log/ERROR", index: 1 });
      assert.deepEqual(ofKind(classifyOneIn(listing, "log/ERROR.6"), "chain-member").chain, { family: "log/ERROR", index: 6 });
      assert.equal(kindOf(listing, "log/SQLAGENT.1"), "chain-member");
      assert.deepEqual(ofKind(classifyOneIn(listing, "log/SQLAGENT.1"), "chain-member").chain, { family: "log/SQLAGENT", index: 1 });
      // Known families are chain members without the active file listed.
      assert.equal(kindOf([file("log/SQLAGENT.2")], "log/SQLAGENT.2"), "chain-member");
      assert.equal(kindOf([file("log/ERROR.2")], "log/ERROR.2"), "chain-member");
    });

    it("a chain's active file is the family's own name or, for SQL Server's agent log, the family with .OUT", () => {
      const listing = [file("log/ERROR"), file("log/ERROR.1"), file("log/SQLAGENT.OUT"), file("log/SQLAGENT.1"), file("foo"), file("foo.1")];
      const c = (name: string) => classifyOneIn(listing, name);
      assert.equal(isChainActiveFile(c("log/ERROR"), "log/ERROR"), true);
      assert.equal(isChainActiveFile(c("log/SQLAGENT.OUT"), "log/SQLAGENT"), true);
      assert.equal(isChainActiveFile(c("foo"), "foo"), true);
      assert.equal(isChainActiveFile(c("log/SQLAGENT.OUT"), "log/ERROR"), false);
      assert.equal(isChainActiveFile(c("log/ERROR.1"), "log/ERROR"), false, "a member is not the active file");
    });

    it("unknown names are singles; `foo.1` is a chain member only when `foo` is listed (and then `foo` is active)", () => {
      assert.equal(kindOf([file("trace/alert_ORCL.log")], "trace/alert_ORCL.log"), "single");
      assert.equal(kindOf([file("trace/ORCL_ora_4242.trc")], "trace/ORCL_ora_4242.trc"), "single");
      assert.equal(kindOf([file("foo.1")], "foo.1"), "single");
      assert.equal(kindOf([file("foo")], "foo"), "single");
      const both = [file("foo"), file("foo.1")];
      assert.equal(kindOf(both, "foo"), "active");
      assert.equal(kindOf(both, "foo.1"), "chain-member");
      assert.deepEqual(ofKind(classifyOneIn(both, "foo.1"), "chain-member").chain, { family: "foo", index: 1 });
    });

    it("invalid dates and times are not dated", () => {
      for (const name of [
        "error/postgresql.log.2024-02-30-12",
        "error/postgresql.log.2023-02-29-12",
        "error/postgresql.log.2024-13-01-12",
        "error/postgresql.log.2024-00-01-12",
        "error/postgresql.log.2024-04-31-12",
        "error/postgresql.log.2024-10-00-12",
        "error/postgresql.log.2024-10-01-24",
        "error/postgresql.log.2024-10-01-1260",
        "audit/audit.log.0.2024-10-01-12-61.1",
      ]) {
        assert.equal(parseDatedName(name), undefined, name);
        assert.notEqual(kindOf([file(name)], name), "dated", name);
      }
      // Leap day is fine.
      assert.equal(parseDatedName("error/postgresql.log.2024-02-29-23")!.periodStart, at("2024-02-29T23:00"));
    });

    // Was a bug: Date.UTC maps years 0..99 to 1900..1999, so a stamp "0099-10-01" is read as 1999-10-01.
    it("a stamp's year is taken literally (years below 100 are not shifted into the 1900s)", () => {
      const d = parseDatedName("error/postgresql.log.0099-10-01-12");
      // Either reject the stamp, or keep its year: never invent 1999.
      if (d) assert.equal(new Date(d.periodStart).getUTCFullYear(), 99);
    });

    it("every well-formed PostgreSQL stamp round-trips to its period (property)", () => {
      fc.assert(
        fc.property(fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }), fc.boolean(), (d, withMinutes) => {
          const iso = d.toISOString();
          const stamp = `${iso.slice(0, 10)}-${iso.slice(11, 13)}${withMinutes ? iso.slice(14, 16) : ""}`;
          const p = parseDatedName(`error/postgresql.log.${stamp}`)!;
          const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), withMinutes ? d.getUTCMinutes() : 0);
          assert.equal(p.periodStart, start);
          assert.equal(p.periodEnd, Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()) + HOUR);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe("slotPeriodStart", () => {
    it("is the latest H:00 not after LastWritten", () => {
      assert.equal(slotPeriodStart(14, at("2024-10-01T14:59:59.999")), at("2024-10-01T14:00"));
      assert.equal(slotPeriodStart(14, at("2024-10-01T15:00:00.000")), at("2024-10-01T14:00"));
      assert.equal(slotPeriodStart(14, at("2024-10-01T14:00:00.000")), at("2024-10-01T14:00"));
      assert.equal(slotPeriodStart(14, at("2024-10-02T13:59:59.999")), at("2024-10-01T14:00"));
      assert.equal(slotPeriodStart(23, at("2024-10-02T00:00:00.000")), at("2024-10-01T23:00"));
      assert.equal(slotPeriodStart(23, at("2025-01-01T00:00:00.000")), at("2024-12-31T23:00"));
      assert.equal(slotPeriodStart(23, at("2024-03-01T00:00:00.000")), at("2024-02-29T23:00"));
      assert.equal(slotPeriodStart(0, at("2024-10-01T00:00:00.000")), at("2024-10-01T00:00"));
      assert.equal(slotPeriodStart(0, at("2024-10-01T01:00:00.000")), at("2024-10-01T00:00"));
    });

    it("property: an H:00 on a day, not after LastWritten, less than a day before it", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: T0 - 400 * DAY, max: T0 + 400 * DAY }), (h, lw) => {
          const p = slotPeriodStart(h, lw);
          assert.equal(new Date(p).getUTCHours(), h);
          assert.equal(p % HOUR, 0);
          assert.ok(p <= lw && lw - p < DAY, `${new Date(p).toISOString()} vs ${new Date(lw).toISOString()}`);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe("chainRanks", () => {
    it("ranks members with equal LastWritten newest (lowest index) first, per family", () => {
      const t = at("2024-10-01T12:00");
      const listing = [
        file("audit/server_audit.log", t + 5),
        file("audit/server_audit.log.1", t + 1),
        file("audit/server_audit.log.2", t),
        file("audit/server_audit.log.3", t),
        file("audit/server_audit.log.4", t),
        file("audit/server_audit.log.5", t - 1),
        file("log/ERROR.1", t),
        file("log/ERROR.2", t),
      ];
      const all = classifyListing(listing);
      const ranks = chainRanks(all);
      const r = (name: string) => ranks.get(all.find((c) => c.file.name === name)!);
      assert.equal(r("audit/server_audit.log"), undefined);
      assert.equal(r("audit/server_audit.log.1"), 0);
      assert.equal(r("audit/server_audit.log.2"), 0);
      assert.equal(r("audit/server_audit.log.3"), 1);
      assert.equal(r("audit/server_audit.log.4"), 2);
      assert.equal(r("audit/server_audit.log.5"), 0);
      assert.equal(r("log/ERROR.1"), 0);
      assert.equal(r("log/ERROR.2"), 1);
    });
  });

  describe("isClosed", () => {
    const t12 = at("2024-10-01T12:00");
    const t13 = at("2024-10-01T13:00");

    it("dated: a newer file of the same writer closes it", () => {
      const listing = [file("error/postgresql.log.2024-10-01-12", t12 + 30 * MINUTE), file("error/postgresql.log.2024-10-01-13", t13 + MINUTE)];
      assert.equal(closedAt(listing, "error/postgresql.log.2024-10-01-12", t12 + 31 * MINUTE), true);
      assert.equal(closedAt(listing, "error/postgresql.log.2024-10-01-13", t13 + 2 * MINUTE), false);
      // -HHMM: a later half hour of the same writer closes the earlier one.
      const half = [file("error/postgresql.log.2024-10-01-1200", t12), file("error/postgresql.log.2024-10-01-1230", t12 + 31 * MINUTE)];
      assert.equal(closedAt(half, "error/postgresql.log.2024-10-01-1200", t12 + 31 * MINUTE), true);
      assert.equal(closedAt(half, "error/postgresql.log.2024-10-01-1230", t12 + 31 * MINUTE), false);
    });

    it("dated: a higher sequence of the same writer and stamp closes it; another writer's does not", () => {
      const listing = [
        file("audit/audit.log.0.2024-10-01-12-00.1", t12 + 10 * MINUTE),
        file("audit/audit.log.0.2024-10-01-12-00.2", t12 + 11 * MINUTE),
        file("audit/audit.log.1.2024-10-01-12-00.1", t12 + 11 * MINUTE),
      ];
      const now = t12 + 12 * MINUTE;
      assert.equal(closedAt(listing, "audit/audit.log.0.2024-10-01-12-00.1", now), true);
      assert.equal(closedAt(listing, "audit/audit.log.0.2024-10-01-12-00.2", now), false);
      assert.equal(closedAt(listing, "audit/audit.log.1.2024-10-01-12-00.1", now), false);
    });

    it("dated: a later period in the rotation group closes it only when that period starts at or after its period end", () => {
      const now = t13 + MINUTE;
      const g = [file("audit/audit.log.1.2024-10-01-12-00.1", now), file("audit/audit.log.0.2024-10-01-13-00.1", now)];
      assert.equal(closedAt(g, "audit/audit.log.1.2024-10-01-12-00.1", now), true);
      const early = [file("audit/audit.log.1.2024-10-01-12-00.1", now), file("audit/audit.log.0.2024-10-01-12-30.1", now)];
      assert.equal(closedAt(early, "audit/audit.log.1.2024-10-01-12-00.1", now), false);
      // PostgreSQL .csv twin and .log share the rotation group.
      const pg = [file("error/postgresql.log.2024-10-01-12.csv", now), file("error/postgresql.log.2024-10-01-13", now)];
      assert.equal(closedAt(pg, "error/postgresql.log.2024-10-01-12.csv", now), true);
      // A different log's later file does not close it.
      const other = [file("error/postgresql.log.2024-10-01-12", now), file("slowquery/mysql-slowquery.log.2024-10-01.13", now)];
      assert.equal(closedAt(other, "error/postgresql.log.2024-10-01-12", now), false);
    });

    it("dated: its own .gz twin does not close it", () => {
      const listing = [file("error/postgresql.log.2024-10-01-12", t12 + 10 * MINUTE), file("error/postgresql.log.2024-10-01-12.gz", t12 + 10 * MINUTE)];
      assert.equal(closedAt(listing, "error/postgresql.log.2024-10-01-12", t12 + 11 * MINUTE), false);
    });

    it("dated: closed by time once period end + grace has passed and it has been quiet for grace", () => {
      const name = "error/postgresql.log.2024-10-01-12";
      const quietSinceEnd = [file(name, t13)];
      assert.equal(closedAt(quietSinceEnd, name, t13 + GRACE - 1), false);
      assert.equal(closedAt(quietSinceEnd, name, t13 + GRACE), true);
      const lateWrite = [file(name, t13 + 2 * MINUTE)];
      assert.equal(closedAt(lateWrite, name, t13 + GRACE), false, "written 3 minutes ago");
      assert.equal(closedAt(lateWrite, name, t13 + 2 * MINUTE + GRACE), true);
      const daily = [file("error/postgresql.log.2024-10-01", t12)];
      assert.equal(closedAt(daily, "error/postgresql.log.2024-10-01", t13 + GRACE), false, "a daily file's period ends at midnight");
      assert.equal(closedAt(daily, "error/postgresql.log.2024-10-01", at("2024-10-02T00:00") + GRACE), true);
    });

    it("single: closed once quiet for quietMs", () => {
      const listing = [file("trace/alert_ORCL.log", t12)];
      assert.equal(closedAt(listing, "trace/alert_ORCL.log", t12 + QUIET - 1), false);
      assert.equal(closedAt(listing, "trace/alert_ORCL.log", t12 + QUIET), true);
      assert.equal(closedAt(listing, "trace/alert_ORCL.log", t12 + 10 * MINUTE, GRACE, 10 * MINUTE), true);
    });

    it("hourly slots and chain members are closed; active and staging never", () => {
      const now = t12;
      const listing = [
        file("slowquery/mysql-slowquery.log", now),
        file("slowquery/mysql-slowquery.log.11", now - HOUR),
        file("audit/server_audit.log", now),
        file("audit/server_audit.log.1", now - 1000),
        file("error/mysql-error.log", now - 10 * DAY),
      ];
      assert.equal(closedAt(listing, "slowquery/mysql-slowquery.log.11", now), true);
      assert.equal(closedAt(listing, "audit/server_audit.log.1", now + 10 * DAY), true);
      assert.equal(closedAt(listing, "slowquery/mysql-slowquery.log", now + 10 * DAY), false);
      assert.equal(closedAt(listing, "audit/server_audit.log", now + 10 * DAY), false);
      assert.equal(closedAt(listing, "error/mysql-error.log", now + 10 * DAY), false);
    });

    it("property: a dated file is closed by time exactly when now >= periodEnd + grace and now - lastWritten >= grace (alone in the listing)", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: -2 * HOUR, max: 3 * HOUR }), fc.integer({ min: -HOUR, max: 3 * HOUR }), (h, lwOff, nowOff) => {
          const start = T0 + h * HOUR;
          const name = `error/postgresql.log.2024-10-01-${String(h).padStart(2, "0")}`;
          const lw = start + lwOff;
          const now = start + nowOff;
          const all: ClassifiedFile[] = classifyListing([file(name, lw)]);
          const expected = now >= start + HOUR + GRACE && now - lw >= GRACE;
          assert.equal(isClosed(all[0], all, { now, graceMs: GRACE, quietMs: QUIET }), expected);
        }),
        { numRuns: 300 },
      );
    });
  });
});
