// The Athena table's partition projection against the keys the engine writes: every key the planner gives any file of
// any rotation scheme is read by the table, and nothing else in the bucket is. The matcher below is partition
// projection as Athena documents it: enum values listed, injected values any segment, dates parsed with the format.
import assert from "node:assert/strict";
import fc from "fast-check";
import { archiveKey, ROOT_LOGTYPE } from "../../archiver/layout/archive-key";
import {
  archiveTableProjection,
  EARLIEST_HOUR,
  projectionProperties,
  type ArchiveTableLayout,
  type ArchiveTableProjection,
  type PartitionProjection,
} from "../../archiver/layout/athena-projection";
import { eventKey } from "../../archiver/layout/event-key";
import { hourPath, HOUR_PATH_PATTERN } from "../../archiver/layout/hour-path";
import { QUERY_RESULTS_PREFIX } from "../../archiver/layout/prefixes";
import { rejectedKey } from "../../archiver/layout/rejected-key";
import { stateKey } from "../../archiver/layout/state-key";
import { subscriptionKey } from "../../archiver/layout/subscription-key";
import { archiveTargets } from "../../archiver/planning/archive-targets";
import { classifyListing, type ListedFile } from "../../archiver/planning/log-file-names";
import { SeededRandom } from "../../local-aws/seeded-random";
import { Ledger } from "../sim/ledger";
import { auroraMember, mysqlAudit, mysqlHourly, postgres, sqlServer } from "../sim/scenarios";
import type { EngineModel } from "../sim/engines";
import { anyString } from "./arbitraries";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 9, 1, 0, 0);
const NOW = Date.UTC(2026, 0, 1);

/** A java.time pattern of yyyy, MM, dd and HH fields, read strictly: the UTC hour it names, or undefined. */
function parseHour(pattern: string, text: string): number | undefined {
  const fields: string[] = [];
  const regex = new RegExp(`^${pattern.replace(/yyyy|MM|dd|HH|[^A-Za-z]/g, (f) => (/^[A-Za-z]+$/.test(f) ? (fields.push(f), `(\\d{${f.length}})`) : `\\${f}`))}$`);
  const m = regex.exec(text);
  if (!m) return undefined;
  const v = Object.fromEntries(fields.map((f, i) => [f, Number(m[i + 1])]));
  const ms = Date.UTC(v.yyyy, v.MM - 1, v.dd, v.HH);
  const d = new Date(ms);
  const exact = d.getUTCFullYear() === v.yyyy && d.getUTCMonth() === v.MM - 1 && d.getUTCDate() === v.dd && d.getUTCHours() === v.HH;
  return exact ? ms : undefined;
}

/** Whether Athena reads `key` through the projection: it lies directly under a location the template projects. */
function projects(projection: ArchiveTableProjection, key: string, now = NOW): boolean {
  const fieldsOf = (p: PartitionProjection) => (p.type === "date" ? p.format.split("/").length : 1);
  const segments = key.split("/");
  const width = projection.partitions.reduce((n, p) => n + fieldsOf(p), 0);
  assert.equal(projection.locationTemplate, `${projection.partitions.map((p) => `\${${p.column}}`).join("/")}/`);
  if (segments.length !== width + 1 || segments[width] === "") return false;
  let at = 0;
  return projection.partitions.every((p) => {
    const value = segments.slice(at, (at += fieldsOf(p))).join("/");
    switch (p.type) {
      case "enum":
        return p.values.includes(value);
      case "injected":
        return value !== "";
      case "date": {
        const hour = parseHour(p.format, value);
        const [from, to] = p.range;
        assert.equal(to, "NOW");
        return hour !== undefined && hour >= parseHour(p.format, from)! && hour <= now;
      }
    }
  });
}

function projectionOf(layout: ArchiveTableLayout): ArchiveTableProjection {
  const result = archiveTableProjection(layout);
  assert.ok("projection" in result, `refused: ${result.problems.join("; ")}`);
  return result.projection;
}

/** The listings RDS shows over 30 hours of each rotation scheme, every 15 minutes. */
function schemeListings(): { scheme: string; listings: ListedFile[][] }[] {
  const ctx = { ledger: new Ledger(new SeededRandom(7)), rng: new SeededRandom(14), start: T0 };
  const models: EngineModel[] = [
    mysqlHourly(ctx, "my-1"),
    mysqlAudit(ctx, "audit-1", 30 * HOUR, 3),
    auroraMember(ctx, "aurora-1", "aurora").models[0],
    postgres(ctx, "pg-1", true),
    sqlServer(ctx, "mssql-1"),
  ];
  return models.map((model) => {
    const listings: ListedFile[][] = [];
    for (let t = T0; t <= T0 + 30 * HOUR; t += 15 * 60_000) {
      model.advanceTo(t);
      listings.push(model.files().map((f) => ({ name: f.name, lastWritten: f.lastWritten, size: f.size })));
    }
    return { scheme: model.scheme, listings };
  });
}

function keysOf(group: string, instance: string, listing: ListedFile[]): string[] {
  return [...archiveTargets(group, instance, classifyListing(listing)).values()].flatMap((t) => ("key" in t ? [t.key] : []));
}

const rdsId = fc.stringMatching(/^[a-z][a-z0-9]{0,10}(-[a-z0-9]{1,8}){0,2}$/);

describe("layout/athena-projection: the table reads exactly the archive", function () {
  this.timeout(60_000);
  const schemes = schemeListings();

  it("the hour pattern reads hourPath's output back to the same hour, and the range starts where the planner does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23) }), (ms) => {
        assert.equal(parseHour(HOUR_PATH_PATTERN, hourPath(ms)), Math.floor(ms / HOUR) * HOUR);
      }),
    );
    assert.equal(parseHour(HOUR_PATH_PATTERN, EARLIEST_HOUR), 0);
    assert.equal(parseHour(HOUR_PATH_PATTERN, "2024/02/30/00"), undefined);
  });

  it("every scheme's listings give keys, over every logtype they use", () => {
    for (const { scheme, listings } of schemes) {
      const keys = new Set(listings.flatMap((l) => keysOf("g", "i", l)));
      assert.ok(keys.size >= 10, `${scheme}: only ${keys.size} keys`);
    }
  });

  it("property: every key the planner writes for any scheme, group and instance is projected, or the layout is refused", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...schemes),
        fc.nat(),
        fc.oneof(rdsId, anyString),
        fc.oneof(rdsId, anyString),
        fc.array(rdsId, { maxLength: 3 }),
        fc.boolean(),
        ({ listings }, pick, group, instance, otherGroups, includeFolders) => {
          const listing = listings[pick % listings.length];
          const keys = keysOf(group, instance, listing);
          const folders = [...new Set(listing.map((f) => f.name.split("/")).filter((p) => p.length > 1).map((p) => `${p[0]}/`))];
          const layout = { groups: [group, ...otherGroups], include: includeFolders ? folders : [] };
          const result = archiveTableProjection(layout);
          if (!("projection" in result)) {
            // Refused only for a segment the key encodes: never for a plain RDS id.
            assert.ok(result.problems.length > 0);
            assert.ok(!/^[a-z][a-z0-9-]*$/.test(group) || includeFolders, result.problems.join("; "));
            return;
          }
          const included = keys.filter((k) => !includeFolders || folders.some((f) => k.split("/")[1] === f.slice(0, -1)));
          for (const key of included) assert.ok(projects(result.projection, key), `${key} is not projected`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: nothing else is projected: other prefixes, other groups, logtypes outside include, wrong depths, impossible hours", () => {
    const projection = projectionOf({ groups: ["prod-rds", "orders-aurora"], include: ["error/", "audit/"] });
    const open = projectionOf({ groups: ["prod-rds"], include: [] });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: NOW }), rdsId, anyString, (period, other, text) => {
        const own = archiveKey("prod-rds", "prod-rds", "error/postgresql.log", period);
        assert.ok(projects(projection, own) && projects(open, own));
        const foreign = [
          stateKey("prod-rds", "prod-rds"),
          eventKey({ id: text || "e", time: new Date(period).toISOString() }),
          subscriptionKey("/aws/rds/instance/prod-rds/error", "s", { id: "1", timestamp: period }),
          rejectedKey({ text }, period),
          `${QUERY_RESULTS_PREFIX}${text || "q"}.csv`,
          `${QUERY_RESULTS_PREFIX}prod-rds/error/${hourPath(period)}/prod-rds/x.csv`,
          own.replace(/\/[^/]+$/, ""),
          `${own}/x`,
          own.replace(hourPath(period), `${hourPath(period).slice(0, 5)}13/01/00`),
          own.replace(hourPath(period), `${hourPath(period).slice(0, 11)}24`),
        ];
        if (other !== "prod-rds" && other !== "orders-aurora") foreign.push(archiveKey(other, "prod-rds", "error/postgresql.log", period));
        for (const key of foreign) assert.ok(!projects(projection, key) && !projects(open, key), `${key} is projected`);
        for (const logName of ["slowquery/mysql-slowquery.log", "general/mysql-general.log", "ERROR"]) {
          assert.ok(!projects(projection, archiveKey("prod-rds", "prod-rds", logName, period)), `${logName} is outside include`);
          assert.ok(projects(open, archiveKey("prod-rds", "prod-rds", logName, period)), `${logName} is a logtype injected values reach`);
        }
        assert.ok(!projects(projection, archiveKey("prod-rds", "prod-rds", "error/x", NOW + HOUR), NOW), "an hour after NOW");
      }),
      { numRuns: 200 },
    );
  });

  it("picks enum for the ids and include's folders, date for the hour, injected for the instance (and the logtype without include)", () => {
    const types = (p: ArchiveTableProjection) => Object.fromEntries(p.partitions.map((c) => [c.column, c.type]));
    assert.deepEqual(types(projectionOf({ groups: ["a"], include: ["error/"] })), { grp: "enum", logtype: "enum", dt: "date", instance: "injected" });
    assert.deepEqual(types(projectionOf({ groups: ["a"], include: ["error/", "postgresql"] })), { grp: "enum", logtype: "injected", dt: "date", instance: "injected" });
    assert.deepEqual(projectionProperties("b", projectionOf({ groups: ["prod-rds", "orders"], include: ["error/x", "audit/"] })), {
      "projection.enabled": "true",
      "projection.grp.type": "enum",
      "projection.grp.values": "prod-rds,orders",
      "projection.logtype.type": "enum",
      "projection.logtype.values": "error,audit",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy/MM/dd/HH",
      "projection.dt.range": "1970/01/01/00,NOW",
      "projection.dt.interval": "1",
      "projection.dt.interval.unit": "HOURS",
      "projection.instance.type": "injected",
      "storage.location.template": "s3://b/${grp}/${logtype}/${dt}/${instance}/",
    });
    assert.ok(!ROOT_LOGTYPE.includes("/"));
  });

  it("refuses a layout whose segments are escaped in the key, naming the value and its segment", () => {
    const result = archiveTableProjection({ groups: ["prod-rds"], include: ["my logs/", "_internal/"] });
    assert.ok(!("projection" in result));
    assert.match(result.problems[0], /include folder "my logs" is stored as the segment "my%20logs"/);
    assert.match(result.problems[1], /include folder "_internal" is stored as the segment "%5Finternal"/);
  });
});
