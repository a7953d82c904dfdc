import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import { createSyncHandler } from "../../archiver";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import type { SyncReport } from "../../archiver/report";
import { FunctionHost } from "../shipped/host";
import { shipped } from "../shipped/packages";
import { BUCKET, HOUR, lines, RUNNERS, SCHEDULED_EVENT, startHarness, type Harness, type Runner } from "./harness";
import { assertEmfDocument, assertPowertoolsRecord, captureStdout } from "./log-lines";

interface Outcome {
  report?: SyncReport;
  error?: { name: string; message: string };
  logged: string[];
}

/** One invocation: of createSyncHandler's handler in this process, or of the serialized function in a host process. */
async function invoke(runner: Runner, env: NodeJS.ProcessEnv, remainingMs?: number): Promise<Outcome> {
  const context = remainingMs === undefined ? {} : { getRemainingTimeInMillis: () => remainingMs };
  if (runner === "serialized") {
    const host = await FunctionHost.start(await shipped("sync"), { env });
    try {
      const invocation = await host.invoke<SyncReport>(SCHEDULED_EVENT, { remainingMs: remainingMs ?? 600_000 });
      return { report: invocation.result, error: invocation.error, logged: invocation.logs };
    } finally {
      await host.stop();
    }
  }
  const handler = createSyncHandler(loadAwsSdk(), env);
  assert.equal(handler.length, 2, "an async (event, context) handler, no callback");
  const { result, error, lines } = await captureStdout(() => handler(SCHEDULED_EVENT, { ...context, awsRequestId: "in-process", functionName: "sync" }));
  return { ...(result ? { report: result } : {}), ...(error ? { error } : {}), logged: lines };
}

for (const runner of RUNNERS) describe(`Lambda handler (${runner})`, function () {
  this.timeout(120_000);
  const inProcessOnly = (runner === "in-process" ? it : () => undefined) as Mocha.TestFunction;
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.stop());

  it("reads its settings from the environment, logs a JSON line per file and a summary, returns the report", async () => {
    h.rds.addInstance("db1");
    h.rds.addInstance("aurora-1");
    h.rds.setCluster("aurora", ["aurora-1"]);
    const base = Date.now() - 3 * HOUR;
    h.rds.putFile("db1", { name: "audit/server_audit.log.1", lastWritten: base, content: Buffer.from(lines("a", 3)) });
    h.rds.putFile("db1", { name: "error/postgres.log", lastWritten: base, content: Buffer.from(lines("excluded", 3)) });
    h.rds.putFile("aurora-1", { name: "audit/audit.log.1.2024-10-01-00-00.0", lastWritten: base, content: Buffer.from(lines("b", 3)) });
    const env = {
      ...h.env,
      ARCHIVE_BUCKET: BUCKET,
      RDS_INSTANCES: "db1,ghost-db",
      RDS_CLUSTERS: "aurora",
      LOG_INCLUDE_PREFIXES: "audit/",
      SYNC_CONCURRENCY: "2",
    };
    const { report, logged } = await invoke(runner, env, 600_000);
    assert.ok(report);
    assert.equal(report.totals.copied, 2);
    assert.equal(report.instances.find((i) => i.instance === "ghost-db")?.error?.code, "DBInstanceNotFound");
    const events = logged.filter((l) => !l.startsWith('{"_aws"')).map(assertPowertoolsRecord) as any[];
    assert.deepEqual(events.filter((e) => e.message === "copied").map((e) => [e.level, e.file]).sort(), [["INFO", "audit/audit.log.1.2024-10-01-00-00.0"], ["INFO", "audit/server_audit.log.1"]]);
    assert.deepEqual(events.filter((e) => e.message === "failed").map((e) => [e.level, e.instance, e.code]), [["ERROR", "ghost-db", "DBInstanceNotFound"]]);
    const summary = events.find((e) => e.message === "sync finished");
    assert.equal(summary.level, "ERROR");
    assert.equal(summary.copied, 2);
    assert.equal(summary.ok, false);
    assert.deepEqual(summary.errors.map((e: { target: string }) => e.target), ["ghost-db"]);
    const metrics = logged.filter((l) => l.startsWith('{"_aws"')).map(assertEmfDocument);
    assert.deepEqual(metrics.map((m) => m.Instance ?? "stage").sort(), ["aurora-1", "db1", "ghost-db", "stage"]);
  });

  it("starts no copy when the invocation is about to time out", async () => {
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: Date.now() - 3 * HOUR, content: Buffer.from("a\n") });
    const { report } = await invoke(runner, { ...h.env, ARCHIVE_BUCKET: BUCKET, RDS_INSTANCES: "db1" }, 5_000);
    assert.match(report?.instances[0].deferred[0].reason ?? "", /time ran out before the copy started/);
    assert.equal(h.rds.requests.filter((r) => r.action === "download").length, 0);
  });

  it("a file deferred for lack of time is logged, counted and measured apart from failures, and the run is successful", async () => {
    h.rds.addInstance("db1");
    const lastWritten = Date.now() - 3 * HOUR;
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten, content: Buffer.from("a\n") });
    const env = { ...h.env, ARCHIVE_BUCKET: BUCKET, RDS_INSTANCES: "db1", ARCHIVE_STAGE: "live" };
    // Below the minute a copy needs, above the margin at which copies in flight are stopped.
    const { report, logged } = await invoke(runner, env, 30_000);
    assert.ok(report);
    assert.equal(report.ok, true);
    assert.equal(report.stopped, undefined);
    assert.deepEqual([report.totals.deferred, report.totals.failed], [1, 0]);
    assert.match(report.instances[0].deferred[0].reason, /^not enough run time left to start it; copied next run$/);
    const events = logged.map((l) => JSON.parse(l));
    assert.deepEqual(events.filter((e) => e.message === "deferred").map((e) => [e.level, e.instance, e.file]), [["WARN", "db1", "trace/a.trc"]]);
    assert.deepEqual(events.filter((e) => e.message === "failed"), []);
    const summary = events.find((e) => e.message === "sync finished");
    assert.deepEqual([summary.level, summary.ok, summary.deferred, summary.failed], ["INFO", true, 1, 0]);
    const [stage, db1] = events.filter((e) => e._aws);
    assert.deepEqual([stage.SuccessfulRuns, stage.Failures, stage.FilesDeferred], [1, 0, 1]);
    assert.deepEqual([db1.Instance, db1.Failures, db1.FilesDeferred], ["db1", 0, 1]);
    assert.ok(stage.ArchiveLagSeconds >= 3 * 3600, "the deferred file's age still shows as archive lag");
  });

  // The remaining time drops mid-copy here, which only an in-process context can do on demand.
  inProcessOnly("stops a copy still running when the invocation's time runs out: no open upload, the file logged as deferred", async () => {
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "trace/big.trc", lastWritten: Date.now() - 3 * HOUR, content: randomBytes(24 * 1024 * 1024) });
    h.rds.injectFault({ on: "download", kind: "stall-mid-body", file: "trace/big.trc" }); // in flight until stopped
    const handler = createSyncHandler(loadAwsSdk(), { ...h.env, ARCHIVE_BUCKET: BUCKET, RDS_INSTANCES: "db1" });
    let remaining = 600_000;
    const partUploaded = () => h.s3.requests.some((r) => r.method === "PUT" && r.query.includes("partNumber") && r.status === 200);
    const { result: report, lines: logged } = await captureStdout(async () => {
      const run = handler({}, { getRemainingTimeInMillis: () => remaining });
      for (let i = 0; i < 800 && !partUploaded(); i++) await new Promise((r) => setTimeout(r, 25));
      remaining = 12_000;
      return run;
    });
    assert.ok(report);
    assert.equal(report.stopped, "the invocation's time ran out");
    assert.deepEqual(await h.s3.openUploads(BUCKET), []);
    const events = logged.map((l) => JSON.parse(l));
    const [deferred] = events.filter((e) => e.message === "deferred");
    assert.deepEqual([deferred.instance, deferred.file], ["db1", "trace/big.trc"]);
    assert.match(deferred.reason, /^the invocation's time ran out during the copy; nothing of it was stored/);
    const summary = events.find((e) => e.message === "sync finished");
    assert.deepEqual([summary.ok, summary.stopped, summary.deferred, summary.failed], [true, "the invocation's time ran out", 1, 0]);
  });

  it("logs Powertools-shaped records (cold start on the first invocation only, request and trace ids), honours Lambda's log level, and keeps the EMF lines", async () => {
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: Date.now() - 3 * HOUR, content: Buffer.from("a\n") });
    const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    const env = { ...h.env, ARCHIVE_BUCKET: BUCKET, RDS_INSTANCES: "db1", AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256", _X_AMZN_TRACE_ID: trace };
    const runs: string[][] = [];
    if (runner === "serialized") {
      const host = await FunctionHost.start(await shipped("sync"), { env });
      try {
        for (const requestId of ["req-1", "req-2"]) runs.push((await host.invoke(SCHEDULED_EVENT, { remainingMs: 600_000, requestId })).logs);
      } finally {
        await host.stop();
      }
    } else {
      runs.push((await invoke(runner, env)).logged, (await invoke(runner, env)).logged);
    }
    const records = runs.map((lines) => lines.filter((l) => !l.startsWith('{"_aws"')).map(assertPowertoolsRecord) as any[]);
    for (const [i, run] of records.entries()) {
      assert.ok(run.length > 0);
      for (const r of run) {
        assert.equal(r.service, "rds-log-archiver");
        assert.equal(r.xray_trace_id, "1-5759e988-bd862e3fe1be46a994272793");
        assert.equal(r.function_memory_size, 256);
        if (runner === "serialized") assert.equal(r.function_request_id, `req-${i + 1}`);
      }
    }
    assert.deepEqual(records[0].map((r) => r.message), ["copied", "sync finished"]);
    assert.deepEqual(records[1].map((r) => r.message), ["sync finished"]);
    if (runner === "serialized") assert.deepEqual(records.map((run) => run[0].cold_start), [true, false], "a warm container's invocation is not a cold start");
    for (const lines of runs) assert.equal(lines.filter((l) => l.startsWith('{"_aws"')).map(assertEmfDocument).length, 2);

    // Lambda's application log level WARN: the INFO records are not written, the metrics still are.
    const warnOnly = { ...env, AWS_LAMBDA_LOG_LEVEL: "WARN" };
    let quiet: string[];
    if (runner === "serialized") {
      const host = await FunctionHost.start(await shipped("sync"), { env: warnOnly });
      try {
        quiet = (await host.invoke(SCHEDULED_EVENT, { remainingMs: 600_000 })).logs;
      } finally {
        await host.stop();
      }
    } else {
      quiet = (await invoke(runner, warnOnly)).logged;
    }
    assert.deepEqual(quiet.filter((l) => !l.startsWith('{"_aws"')), []);
    assert.equal(quiet.filter((l) => l.startsWith('{"_aws"')).map(assertEmfDocument).length, 2);
  });

  it("rejects missing settings naming the variable", async () => {
    const { error } = await invoke(runner, { ...h.env, RDS_INSTANCES: "db1" });
    assert.equal(error?.name, "SettingsError");
    assert.match(error?.message ?? "", /ARCHIVE_BUCKET/);
  });
});
