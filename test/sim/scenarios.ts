/**
 * Instance builders and the scenarios the sim tests run. Volumes are modest (a few thousand lines per
 * instance per virtual day) so the whole suite stays within a couple of minutes on 2 cores.
 */
import type { Fault } from "../../local-aws/fake-rds";
import type { ModelContext, ScenarioSpec, SimInstance } from "./drive";
import {
  AuroraAuditModel,
  type Burst,
  MysqlAuditModel,
  MysqlHourlyModel,
  PostgresModel,
  SqlServerModel,
} from "./engines";
import { SeededRandom } from "../../local-aws/seeded-random";
import { DAY, HOUR, MINUTE } from "./time";

/** `count` bursts of `lines` lines at random times in [start, start + span), each over `spreadMs`. */
export function randomBursts(rng: SeededRandom, start: number, span: number, count: number, lines: number, spreadMs: number): Burst[] {
  return Array.from({ length: count }, () => ({ at: start + Math.floor(rng.next() * span), lines, spreadMs }));
}

/** A PostgreSQL instance with one busy first hour (a file of several MB at `linesPerHour`), then quiet for 9 hours. */
export function busyFirstHourPostgres(ctx: ModelContext, id: string, linesPerHour: number): SimInstance {
  return {
    id,
    models: [
      new PostgresModel({
        instance: id, ledger: ctx.ledger, rng: ctx.rng.fork("pg"), start: ctx.start, linesPerHour, createAtBoundary: true,
        silences: [{ from: ctx.start + HOUR, to: ctx.start + 10 * HOUR }],
      }),
    ],
  };
}

export function mysqlHourly(ctx: ModelContext, id: string, linesPerHour = 150) {
  return new MysqlHourlyModel({ instance: id, ledger: ctx.ledger, rng: ctx.rng.fork(`${id}/hourly`), start: ctx.start, linesPerHour });
}

/**
 * The audit plugin with a 20 KB threshold: ~175 lines per file, so the 9-file chain holds ~1,500 lines.
 * Bursts of 800 lines in 4 minutes rotate it 4-5 times between two syncs; one burst writes 400 lines in one
 * millisecond (rotations sharing a LastWritten).
 */
export function mysqlAudit(ctx: ModelContext, id: string, span: number, bursts = 5) {
  const rng = ctx.rng.fork(`${id}/audit`);
  return new MysqlAuditModel({
    instance: id,
    ledger: ctx.ledger,
    rng,
    start: ctx.start,
    linesPerHour: 150,
    thresholdBytes: 20_000,
    bursts: [
      ...randomBursts(rng, ctx.start + HOUR, span - 2 * HOUR, bursts, 800, 4 * MINUTE),
      { at: ctx.start + Math.floor(span / 2) + 7 * MINUTE + 123, lines: 400, spreadMs: 0 },
    ],
  });
}

export function auroraMember(ctx: ModelContext, id: string, cluster: string): SimInstance {
  const model = new AuroraAuditModel({
    instance: id,
    ledger: ctx.ledger,
    rng: ctx.rng.fork(`${id}/aurora`),
    start: ctx.start,
    linesPerHour: 250,
    thresholdBytes: 6000,
    silentChance: 0.1,
  });
  return { id, cluster, models: [model] };
}

export function postgres(ctx: ModelContext, id: string, createAtBoundary: boolean, quietHours: number[] = []) {
  return new PostgresModel({
    instance: id,
    ledger: ctx.ledger,
    rng: ctx.rng.fork(`${id}/pg`),
    start: ctx.start,
    linesPerHour: 150,
    createAtBoundary,
    gzipAfterHours: 3,
    silences: quietHours.map((h) => ({ from: ctx.start + h * HOUR, to: ctx.start + (h + 1) * HOUR })),
  });
}

export function sqlServer(ctx: ModelContext, id: string) {
  return new SqlServerModel({
    instance: id,
    ledger: ctx.ledger,
    rng: ctx.rng.fork(`${id}/mssql`),
    start: ctx.start,
    linesPerHour: 80,
    restartsPerDay: 4,
    seriesChance: 0.5,
  });
}

/** One instance of every scheme: MySQL (hourly + audit plugin), a 2-member Aurora MySQL cluster, PostgreSQL x2, SQL Server. */
export function everyScheme(span: number) {
  return (ctx: ModelContext): SimInstance[] => [
    { id: "mysql-1", models: [mysqlHourly(ctx, "mysql-1"), mysqlAudit(ctx, "mysql-1", span, 4)] },
    auroraMember(ctx, "aurora-a-1", "aurora-a"),
    auroraMember(ctx, "aurora-a-2", "aurora-a"),
    { id: "pg-eager", models: [postgres(ctx, "pg-eager", true, [9, 10])] },
    { id: "pg-lazy", models: [postgres(ctx, "pg-lazy", false, [3, 4, 30])] },
    { id: "mssql-1", models: [sqlServer(ctx, "mssql-1")] },
  ];
}

/** Faults spread over a scenario: each kind, on listing and download, some aimed at one instance or file. */
export function faultSchedule(start: number, span: number, rng: SeededRandom, instances: string[]): { at: number; fault: Fault }[] {
  const kinds: Fault[] = [
    { on: "describe", kind: "http500", times: 2 },
    { on: "describe", kind: "throttle", times: 3 },
    { on: "describe", kind: "reset-mid-body" },
    { on: "describe", kind: "truncate-body" },
    { on: "clusters", kind: "throttle", times: 2 },
    { on: "clusters", kind: "http500" },
    { on: "download", kind: "http500", times: 2 },
    { on: "download", kind: "throttle", times: 4 },
    { on: "download", kind: "reset-mid-body" },
    { on: "download", kind: "truncate-body" },
    { on: "download", kind: "reset-mid-body", times: 3 },
    { on: "download", kind: "truncate-body", times: 3 },
  ];
  const out: { at: number; fault: Fault }[] = [];
  for (let round = 0; round < 3; round++) {
    for (const k of kinds) {
      const at = start + Math.floor(rng.next() * span);
      const aimed = k.on !== "clusters" && rng.chance(0.4) ? { instance: rng.pick(instances) } : {};
      out.push({ at, fault: { ...k, ...aimed } });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

export const SCHEME_DAY = DAY;
