import assert from "node:assert/strict";
import fc from "fast-check";
import { ROOT_LOGTYPE } from "../../archiver/layout/archive-key";
import { STATE_PREFIX } from "../../archiver/layout/prefixes";
import { decodeSegment, encodeSegment } from "../../archiver/layout/segments";
import { archiveTargets, compactStamp } from "../../archiver/planning/archive-targets";
import { classifyListing } from "../../archiver/planning/log-file-names";
import { DAY, HOUR, T0, at, file, keyOf, listingArb, targetsByName } from "./helpers";

const KEY_SHAPE = /^[^/]+\/[^/]+\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[^/]+\/[^/]+\.gz$/;

/** Group and instance identifiers: arbitrary, but non-empty (see the separate empty-string test). */
const idArb = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.string({ unit: "binary", minLength: 1, maxLength: 10 }));

describe("planning/archive-targets", () => {
  it("compactStamp is sortable and keeps milliseconds", () => {
    assert.equal(compactStamp(at("2024-10-01T12:34:56.789")), "20241001T123456789Z");
    assert.equal(compactStamp(at("2024-10-01T00:00:00.000")), "20241001T000000000Z");
  });

  describe("keys of archiveTargets", () => {
    it("examples: layout and the hour each kind files under", () => {
      const listing = [
        file("error/postgresql.log.2024-10-01-12", at("2024-10-01T13:00:00.000")),
        file("error/postgresql.log.2024-10-01-1230", at("2024-10-01T13:00:00.000")),
        file("error/postgresql.log.2024-10-01-11.gz", at("2024-10-02T03:00")),
        file("error/postgresql.log.2024-10-01", at("2024-10-01T23:10")),
        file("audit/audit.log.2.2024-10-01-12-00.1", at("2024-10-01T14:00")),
        file("slowquery/mysql-slowquery.log.2024-10-01.12", at("2024-10-01T13:00:00.004")),
        file("slowquery/mysql-slowquery.log.23", at("2024-10-02T00:00:00.000")),
        file("slowquery/mysql-slowquery.log.14", at("2024-10-01T14:59:59.999")),
        file("slowquery/mysql-slowquery.log.0", at("2024-10-01T00:00:00.000")),
        file("general/mysql-general.log.22", at("2024-10-02T21:00")),
        file("audit/server_audit.log.3", at("2024-10-01T12:34:56.789")),
        file("log/ERROR.1", at("2024-10-01T08:00:00.001")),
        file("trace/alert_ORCL.log", at("2024-10-01T05:59:59.999")),
        file("ERROR.log.x", at("2024-10-01T05:00")),
      ];
      const k = (n: string) => keyOf(listing, n, "my-cluster", "db-1");
      assert.equal(k("error/postgresql.log.2024-10-01-12"), "my-cluster/error/2024/10/01/12/db-1/postgresql.log.2024-10-01-12.gz");
      assert.equal(k("error/postgresql.log.2024-10-01-1230"), "my-cluster/error/2024/10/01/12/db-1/postgresql.log.2024-10-01-1230.gz");
      assert.equal(k("error/postgresql.log.2024-10-01-11.gz"), "my-cluster/error/2024/10/01/11/db-1/postgresql.log.2024-10-01-11.gz");
      assert.equal(k("error/postgresql.log.2024-10-01"), "my-cluster/error/2024/10/01/00/db-1/postgresql.log.2024-10-01.gz");
      assert.equal(k("audit/audit.log.2.2024-10-01-12-00.1"), "my-cluster/audit/2024/10/01/12/db-1/audit.log.2.2024-10-01-12-00.1.gz");
      assert.equal(k("slowquery/mysql-slowquery.log.2024-10-01.12"), "my-cluster/slowquery/2024/10/01/12/db-1/mysql-slowquery.log.2024-10-01.12.gz");
      assert.equal(k("slowquery/mysql-slowquery.log.23"), "my-cluster/slowquery/2024/10/01/23/db-1/mysql-slowquery.log.23.gz");
      assert.equal(k("slowquery/mysql-slowquery.log.14"), "my-cluster/slowquery/2024/10/01/14/db-1/mysql-slowquery.log.14.gz");
      assert.equal(k("slowquery/mysql-slowquery.log.0"), "my-cluster/slowquery/2024/10/01/00/db-1/mysql-slowquery.log.0.gz");
      assert.equal(k("general/mysql-general.log.22"), "my-cluster/general/2024/10/01/22/db-1/mysql-general.log.22.gz");
      assert.equal(k("audit/server_audit.log.3"), "my-cluster/audit/2024/10/01/12/db-1/server_audit.log.20241001T123456789Z.gz");
      assert.equal(k("log/ERROR.1"), "my-cluster/log/2024/10/01/08/db-1/ERROR.20241001T080000001Z.gz");
      assert.equal(k("trace/alert_ORCL.log"), "my-cluster/trace/2024/10/01/05/db-1/alert_ORCL.log.gz");
      assert.equal(k("ERROR.log.x"), `my-cluster/${ROOT_LOGTYPE}/2024/10/01/05/db-1/ERROR.log.x.gz`);
    });

    it("a leading slash stays in the file segment under the root logtype, so `/x` and `x` get different keys", () => {
      const lw = at("2024-10-01T05:10");
      const listing = [
        file("/leading", lw),
        file("leading", lw),
        file("/error/postgresql.log.2024-10-01-12", at("2024-10-01T13:00")),
        file("error/postgresql.log.2024-10-01-12", at("2024-10-01T13:00")),
      ];
      const k = (n: string) => keyOf(listing, n, "my-cluster", "db-1");
      assert.equal(k("/leading"), `my-cluster/${ROOT_LOGTYPE}/2024/10/01/05/db-1/%2Fleading.gz`);
      assert.equal(k("leading"), `my-cluster/${ROOT_LOGTYPE}/2024/10/01/05/db-1/leading.gz`);
      assert.equal(k("/error/postgresql.log.2024-10-01-12"), `my-cluster/${ROOT_LOGTYPE}/2024/10/01/12/db-1/%2Ferror%2Fpostgresql.log.2024-10-01-12.gz`);
      assert.equal(k("error/postgresql.log.2024-10-01-12"), "my-cluster/error/2024/10/01/12/db-1/postgresql.log.2024-10-01-12.gz");
    });

    it("identities: dated by logical name, slots by name + period, chain by family + LastWritten + rank, singles by name", () => {
      const t = at("2024-10-01T12:00");
      const listing = [
        file("error/postgresql.log.2024-10-01-12.gz", t),
        file("slowquery/mysql-slowquery.log.23", at("2024-10-02T00:00")),
        file("audit/server_audit.log", t + 1),
        file("audit/server_audit.log.1", t),
        file("audit/server_audit.log.2", t),
        file("trace/alert_ORCL.log", t),
      ];
      const ids = new Map([...targetsByName(listing)].map(([n, r]) => [n, "identity" in r ? r.identity : r.error]));
      assert.equal(ids.get("error/postgresql.log.2024-10-01-12.gz"), "dated:error/postgresql.log.2024-10-01-12");
      assert.equal(ids.get("slowquery/mysql-slowquery.log.23"), `slot:slowquery/mysql-slowquery.log.23@${at("2024-10-01T23:00")}`);
      assert.equal(ids.get("audit/server_audit.log.1"), `chain:audit/server_audit.log@${t}#0`);
      assert.equal(ids.get("audit/server_audit.log.2"), `chain:audit/server_audit.log@${t}#1`);
      assert.equal(ids.get("trace/alert_ORCL.log"), "single:trace/alert_ORCL.log");
      assert.equal(ids.has("audit/server_audit.log"), false, "active files get no target");
      assert.equal(keyOf(listing, "audit/server_audit.log.2"), "db-1/audit/2024/10/01/12/db-1/server_audit.log.20241001T120000000Z-1.gz");
    });

    it("the hourly slot .23 last written exactly at the next midnight files under the previous day's 23", () => {
      const listing = [file("slowquery/mysql-slowquery.log.23", at("2024-10-02T00:00:00.000"))];
      const t = targetsByName(listing).get("slowquery/mysql-slowquery.log.23")!;
      assert.ok("key" in t);
      assert.equal(t.period, at("2024-10-01T23:00"));
      assert.equal(t.key, "db-1/slowquery/2024/10/01/23/db-1/mysql-slowquery.log.23.gz");
      const newYear = [file("slowquery/mysql-slowquery.log.23", at("2025-01-01T00:00:00.000"))];
      assert.equal(keyOf(newYear, "slowquery/mysql-slowquery.log.23"), "db-1/slowquery/2024/12/31/23/db-1/mysql-slowquery.log.23.gz");
    });

    it("the same slot name on two days gets two keys", () => {
      const a = keyOf([file("slowquery/mysql-slowquery.log.14", at("2024-10-01T14:30"))], "slowquery/mysql-slowquery.log.14");
      const b = keyOf([file("slowquery/mysql-slowquery.log.14", at("2024-10-02T14:30"))], "slowquery/mysql-slowquery.log.14");
      assert.notEqual(a, b);
      assert.equal(b, "db-1/slowquery/2024/10/02/14/db-1/mysql-slowquery.log.14.gz");
    });

    it("property: the hour in the key: stamp hour for dated, slot hour for slots, LastWritten's hour for chain members", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 23 }),
          fc.integer({ min: T0, max: T0 + 60 * DAY }),
          fc.integer({ min: 0, max: 2 * HOUR }),
          (h, lw, lateness) => {
            const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
            const hourOf = (key: string) => Number(key.split("/")[5]);
            const dateOf = (key: string) => key.split("/").slice(2, 5).join("-");
            // Dated: the stamp's hour, whatever LastWritten says.
            const stampDay = dayOf(lw);
            const pg = `error/postgresql.log.${stampDay}-${String(h).padStart(2, "0")}`;
            const pgKey = keyOf([file(pg, lw + lateness)], pg);
            assert.equal(hourOf(pgKey), h);
            assert.equal(dateOf(pgKey), stampDay);
            // Hourly slot: hour h of the day of the latest h:00 not after LastWritten.
            const slot = `slowquery/mysql-slowquery.log.${h}`;
            const slotKey = keyOf([file(slot, lw)], slot);
            assert.equal(hourOf(slotKey), h);
            const start = Date.UTC(new Date(lw).getUTCFullYear(), new Date(lw).getUTCMonth(), new Date(lw).getUTCDate(), h);
            assert.equal(dateOf(slotKey), dayOf(start <= lw ? start : start - DAY));
            // Chain member: LastWritten's hour and day.
            const chainKey = keyOf([file("audit/server_audit.log.2", lw)], "audit/server_audit.log.2");
            assert.equal(hourOf(chainKey), new Date(lw).getUTCHours());
            assert.equal(dateOf(chainKey), dayOf(lw));
            // Single: LastWritten's hour.
            const singleKey = keyOf([file("trace/alert_ORCL.log", lw)], "trace/alert_ORCL.log");
            assert.equal(hourOf(singleKey), new Date(lw).getUTCHours());
          },
        ),
        { numRuns: 300 },
      );
    });

    it("property: every key has the documented shape, starts with the group, never with _state/, and is <= 1024 bytes", () => {
      fc.assert(
        fc.property(idArb, idArb, listingArb, (group, instance, listing) => {
          const targets = archiveTargets(group, instance, classifyListing(listing));
          for (const [f, t] of targets) {
            if ("error" in t) continue;
            assert.match(t.key, KEY_SHAPE, `${f.file.name} -> ${t.key}`);
            assert.ok(t.key.startsWith(`${encodeSegment(group)}/`), t.key);
            assert.ok(!t.key.startsWith(STATE_PREFIX), t.key);
            assert.ok(Buffer.byteLength(t.key, "utf8") <= 1024, `${t.key.length}`);
            assert.equal(decodeSegment(t.key.split("/")[6]), instance);
            assert.equal(decodeSegment(t.key.split("/")[0]), group);
          }
        }),
        { numRuns: 200 },
      );
    });

    it("a group that reads like the state prefix does not put keys under _state/", () => {
      const key = keyOf([file("error/postgresql.log.2024-10-01-12")], "error/postgresql.log.2024-10-01-12", "_state", "db-1");
      assert.equal(key, "%5Fstate/error/2024/10/01/12/db-1/postgresql.log.2024-10-01-12.gz");
    });

    it("keys over 1024 bytes are rejected with an error; 1024 is accepted", () => {
      // "db-1/x/2024/10/01/00/db-1/" is 26 bytes, ".gz" 3: a rest of 995 characters makes 1024 bytes.
      const ok = `x/${"a".repeat(995)}`;
      const tooLong = `x/${"a".repeat(996)}`;
      const lw = at("2024-10-01T00:10");
      const t = targetsByName([file(ok, lw), file(tooLong, lw)]);
      const okT = t.get(ok)!;
      assert.ok("key" in okT, JSON.stringify(okT));
      assert.equal(Buffer.byteLength(okT.key), 1024);
      const bad = t.get(tooLong)!;
      assert.ok("error" in bad);
      assert.match(bad.error, /1025 bytes/);
      // Multi-byte characters count as their percent-encoded UTF-8.
      const emoji = `x/${"😀".repeat(90)}`; // 90 * 12 bytes = 1080
      assert.ok("error" in targetsByName([file(emoji, lw)]).get(emoji)!);
    });

    it("names with an empty file part are rejected", () => {
      const t = targetsByName([file("error/"), file("")]);
      assert.deepEqual(t.get("error/"), { error: "empty file name part" });
      assert.deepEqual(t.get(""), { error: "empty file name part" });
    });

    it("property: distinct archivable files of one listing get distinct keys and identities", () => {
      fc.assert(
        fc.property(listingArb, (listing) => {
          const keys = new Map<string, string>();
          const ids = new Map<string, string>();
          for (const [f, t] of archiveTargets("g", "i", classifyListing(listing))) {
            if ("error" in t) continue;
            const logical = f.kind === "dated" ? f.dated.logicalName : f.file.name;
            // A dated file and its .gz twin are one content: they share identity and key, nothing else may.
            if (keys.has(t.key)) assert.equal(keys.get(t.key), logical, `key ${t.key}`);
            if (ids.has(t.identity)) assert.equal(ids.get(t.identity), logical, `identity ${t.identity}`);
            keys.set(t.key, logical);
            ids.set(t.identity, logical);
          }
        }),
        { numRuns: 300 },
      );
    });

    // Was a bug: ROOT_LOGTYPE "_root" went through encodeSegment, which turns it into "%5Froot": exactly what a
    // real logtype directory named "_root" encodes to. `foo` and `_root/foo` get the same key.
    it("a name without a directory and the same name under a directory called `_root` get different keys", () => {
      const lw = at("2024-10-01T05:00");
      assert.notEqual(keyOf([file("foo", lw)], "foo"), keyOf([file("_root/foo", lw)], "_root/foo"));
    });
  });
});
