/**
 * 3. Fleet: N instances x 40 log files each, through the real CLI in a child process.
 * First full copy at several concurrencies (a fresh bucket each), then a steady-state run with nothing new,
 * whose requests are counted at the fake RDS and at the S3 endpoint.
 */
import { childEnv } from "../../local-aws/env";
import { runCli } from "../lib/cli";
import { SeededRandom } from "../../local-aws/seeded-random";
import { auditLine, mysqlSlowEntry, postgresLine } from "../lib/content";
import { startFakes, tallyRds, tallyS3, type FakeRds, type RdsTally, type S3Tally } from "../lib/fakes";

const HOUR = 3_600_000;
const FILES_PER_INSTANCE = 40;

export interface FleetCopyRun {
  concurrency: number;
  wallSeconds: number;
  syncSeconds: number;
  filesCopied: number;
  filesPerSecond: number;
  bytesRead: number;
  peakRssMB: number;
  cpuSeconds: number;
  /** CPU seconds of the bench process (fake RDS + s3rver) during the run */
  fakesCpuSeconds: number;
  rdsRequestsPerInstance: number;
  s3RequestsPerInstance: number;
  speedupVsConcurrency1?: number;
}

export interface FleetResult {
  instances: number;
  filesPerInstance: number;
  filesListed: number;
  firstCopy: FleetCopyRun[];
  steady: {
    concurrency: number;
    wallSeconds: number;
    syncSeconds: number;
    cpuSeconds: number;
    peakRssMB: number;
    copied: number;
    rds: RdsTally;
    s3: S3Tally;
    rdsRequestsPerInstance: number;
    s3RequestsPerInstance: number;
    s3PutsAndPosts: number;
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function body(lines: number, make: (i: number) => string): Buffer {
  let s = "";
  for (let i = 0; i < lines; i++) s += make(i);
  return Buffer.from(s, "utf8");
}

function dayStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13).replace("T", "-");
}

/** 40 files of a PostgreSQL instance: 39 closed hourly files and the active one. */
function fillPostgres(rds: FakeRds, id: string, r: SeededRandom, now: number): void {
  const hourStart = now - (now % HOUR);
  for (let h = 39; h >= 0; h--) {
    const start = hourStart - h * HOUR;
    const content = body(10 + r.below(50), (i) => postgresLine(r, start + i * 60_000));
    rds.putFile(id, { name: `error/postgresql.log.${dayStamp(start)}`, lastWritten: h === 0 ? now - 1000 : start + HOUR - 1, content });
  }
}

/** 40 files of a MySQL instance: hourly slow query slots, error-log slots, the audit chain, and the active files. */
function fillMysql(rds: FakeRds, id: string, r: SeededRandom, now: number): void {
  const hourStart = now - (now % HOUR);
  for (let h = 24; h >= 1; h--) {
    const start = hourStart - h * HOUR;
    const slot = new Date(start).getUTCHours();
    rds.putFile(id, { name: `slowquery/mysql-slowquery.log.${slot}`, lastWritten: start + HOUR - 1, content: body(5 + r.below(20), (i) => mysqlSlowEntry(r, start + i * 120_000, id)) });
    if (h <= 10) {
      rds.putFile(id, { name: `error/mysql-error-running.log.${slot}`, lastWritten: start + HOUR - 2, content: Buffer.from(`${new Date(start).toISOString()} 0 [Note] [MY-010914] [Server] Aborted connection ${r.below(99999)} to db: 'shop' user: 'app' host: '10.0.1.${r.below(250)}' (Got an error reading communication packets).\n`) });
    }
  }
  rds.putFile(id, { name: "slowquery/mysql-slowquery.log", lastWritten: now - 1000, content: body(3, (i) => mysqlSlowEntry(r, hourStart + i * 1000, id)) });
  rds.putFile(id, { name: "error/mysql-error-running.log", lastWritten: now - 2000, content: Buffer.from("") });
  rds.putFile(id, { name: "error/mysql-error.log", lastWritten: now - 3000, content: Buffer.from(""), listedSize: 0 });
  for (let n = 2; n >= 1; n--) {
    const from = hourStart - (n + 1) * HOUR;
    rds.putFile(id, { name: `audit/server_audit.log.${n}`, lastWritten: from + HOUR - n, content: body(40 + r.below(60), (i) => auditLine(r, from + i * 30_000, id)) });
  }
  rds.putFile(id, { name: "audit/server_audit.log", lastWritten: now - 500, content: body(10, (i) => auditLine(r, hourStart + i * 1000, id)) });
}

export async function fleet(
  instances: number,
  concurrencies: number[],
  steadyConcurrency: number,
  log: (s: string) => void,
): Promise<FleetResult> {
  const buckets = concurrencies.map((c) => `bench-fleet-c${c}`);
  const fakes = await startFakes(buckets);
  try {
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < instances; i++) {
      const id = `fleet-${String(i).padStart(3, "0")}-${i % 2 === 0 ? "pg" : "mysql"}`;
      ids.push(id);
      fakes.rds.addInstance(id);
      const r = new SeededRandom(1000 + i);
      if (i % 2 === 0) fillPostgres(fakes.rds, id, r, now);
      else fillMysql(fakes.rds, id, r, now);
      const n = fakes.rds.files(id).length;
      if (n !== FILES_PER_INSTANCE) throw new Error(`${id} has ${n} files, not ${FILES_PER_INSTANCE}`);
    }
    const env = childEnv(fakes.rds, fakes.s3);
    const targets = ids.flatMap((id) => ["--instance", id]);
    // RDS keeps writing the active files: touch them before each run, so that an hour ending during the
    // bench does not close the current PostgreSQL file and turn "nothing new" into a copy.
    const activeNames = new Set(["slowquery/mysql-slowquery.log", "error/mysql-error-running.log", "error/mysql-error.log", "audit/server_audit.log"]);
    const currentPg = `error/postgresql.log.${dayStamp(now - (now % HOUR))}`;
    const touchActive = () => {
      const t = Date.now();
      for (const id of ids) {
        for (const f of fakes.rds.files(id)) {
          if (activeNames.has(f.name) || f.name === currentPg) fakes.rds.putFile(id, { ...f, lastWritten: t - 1000 });
        }
      }
    };

    const firstCopy: FleetCopyRun[] = [];
    for (const [k, concurrency] of concurrencies.entries()) {
      touchActive();
      fakes.rds.resetRequests();
      fakes.s3.resetRequests();
      log(`  first full copy, concurrency ${concurrency}...`);
      const cpu0 = process.cpuUsage();
      const run = await runCli(["--bucket", buckets[k], "--concurrency", String(concurrency), ...targets], env);
      const cpu = process.cpuUsage(cpu0);
      if (run.code !== 0) throw new Error(`fleet copy at concurrency ${concurrency}: exit ${run.code}: ${JSON.stringify(run.report.errors).slice(0, 500)} ${run.report.totals.failed} failed`);
      const copied = run.report.totals.copied;
      firstCopy.push({
        concurrency,
        wallSeconds: round(run.wallMs / 1000, 2),
        syncSeconds: round(run.syncMs / 1000, 2),
        filesCopied: copied,
        filesPerSecond: round(copied / (run.syncMs / 1000)),
        bytesRead: run.report.totals.bytesRead,
        peakRssMB: round(run.peakRss / 1e6),
        cpuSeconds: round(run.userS + run.sysS, 2),
        fakesCpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
        rdsRequestsPerInstance: round(fakes.rds.requests.length / instances, 2),
        s3RequestsPerInstance: round(fakes.s3.requests.length / instances, 2),
      });
      log(`    ${copied} files in ${round(run.syncMs / 1000, 1)} s (${round(copied / (run.syncMs / 1000))} files/s), peak RSS ${round(run.peakRss / 1e6)} MB`);
    }
    const base = firstCopy[0].syncSeconds;
    for (const run of firstCopy) run.speedupVsConcurrency1 = round(base / run.syncSeconds, 2);

    // Steady state: nothing new since the copy at the default concurrency.
    const steadyBucket = buckets[concurrencies.indexOf(steadyConcurrency)] ?? buckets[buckets.length - 1];
    touchActive();
    fakes.rds.resetRequests();
    fakes.s3.resetRequests();
    log(`  steady state (nothing new), concurrency ${steadyConcurrency}...`);
    const run = await runCli(["--bucket", steadyBucket, "--concurrency", String(steadyConcurrency), ...targets], env);
    if (run.code !== 0) throw new Error(`fleet steady run: exit ${run.code}`);
    const rds = tallyRds(fakes.rds.requests);
    const s3 = tallyS3(fakes.s3.requests);
    log(`    ${round(run.syncMs / 1000, 2)} s, ${rds.total} RDS and ${s3.total} S3 requests (${s3.writes} PUT/POST), ${run.report.totals.copied} copied`);
    return {
      instances,
      filesPerInstance: FILES_PER_INSTANCE,
      filesListed: run.report.totals.listed,
      firstCopy,
      steady: {
        concurrency: steadyConcurrency,
        wallSeconds: round(run.wallMs / 1000, 2),
        syncSeconds: round(run.syncMs / 1000, 2),
        cpuSeconds: round(run.userS + run.sysS, 2),
        peakRssMB: round(run.peakRss / 1e6),
        copied: run.report.totals.copied,
        rds,
        s3,
        rdsRequestsPerInstance: round(rds.total / instances, 3),
        s3RequestsPerInstance: round(s3.total / instances, 3),
        s3PutsAndPosts: s3.writes,
      },
    };
  } finally {
    await fakes.stop();
  }
}
