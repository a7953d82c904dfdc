import { strict as assert } from "assert";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { createVerifyHandler } from "../../archiver";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { VERIFY_REPORTS_PREFIX } from "../../archiver/layout/prefixes";
import { VERIFY_METRICS } from "../../archiver/metrics/emf";
import { DEFAULTS, settingsToEnv, stageToEnv } from "../../archiver/settings";
import type { VerifyReport } from "../../archiver/verify/verify-report";
import { assertPowertoolsRecord, captureStdout } from "../engine/log-lines";
import { FunctionHost } from "../shipped/host";
import { shipped } from "../shipped/packages";
import { BUCKET, HOUR, lines, RUNNERS, SCHEDULED_EVENT, startHarness, type Harness, type Runner } from "../engine/harness";

/** One scheduled invocation: of createVerifyHandler's handler here, or of the serialized function in a host process. */
async function invoke(runner: Runner, env: NodeJS.ProcessEnv): Promise<{ report?: VerifyReport & { reportKey?: string }; error?: unknown; logged: string[] }> {
  if (runner === "serialized") {
    const host = await FunctionHost.start(await shipped("verify"), { env });
    try {
      const invocation = await host.invoke<VerifyReport & { reportKey?: string }>(SCHEDULED_EVENT, { remainingMs: 600_000 });
      return { report: invocation.result, error: invocation.error, logged: invocation.logs };
    } finally {
      await host.stop();
    }
  }
  const handler = createVerifyHandler(loadAwsSdk(), env);
  assert.equal(handler.length, 2, "an async (event, context) handler, no callback");
  const { result, error, lines } = await captureStdout(() => handler(SCHEDULED_EVENT, {}));
  return { ...(result ? { report: result } : {}), ...(error ? { error } : {}), logged: lines };
}

for (const runner of RUNNERS) describe(`scheduled verify handler (${runner})`, function () {
  this.timeout(180_000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.stop());

  it("verifies the configured ids, stores its report under its own prefix, and logs Missing and Mismatched", async () => {
    h.rds.addInstance("db1");
    const base = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
    const stamp = (n: number) => new Date(base + n * HOUR).toISOString().slice(0, 13).replace("T", "-");
    for (let n = 0; n < 3; n++) h.rds.putFile("db1", { name: `error/postgresql.log.${stamp(n)}`, lastWritten: base + n * HOUR + 50 * 60_000, content: Buffer.from(lines(`h${n}`, 4)) });
    assert.equal((await h.sync({ instances: ["db1"] })).ok, true);
    const deleted = `db1/error/${stamp(1).slice(0, 10).replace(/-/g, "/")}/${stamp(1).slice(11)}/db1/postgresql.log.${stamp(1)}.gz`;
    await h.s3.client().send(new DeleteObjectCommand({ Bucket: BUCKET, Key: deleted }));
    const env = { ...h.env, ...settingsToEnv({ ...DEFAULTS, bucket: BUCKET, instances: ["db1"], clusters: [], include: [] }), ...stageToEnv("test") };

    const { report, error, logged } = await invoke(runner, env);
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(report!.ok, false);
    assert.deepEqual(report!.instances[0].files.filter((f) => f.status === "missing").map((f) => f.file), [`error/postgresql.log.${stamp(1)}`]);
    assert.ok(report!.digests && !report!.deep);
    const stored = (await h.s3.listAll(BUCKET)).filter((o) => o.key.startsWith(VERIFY_REPORTS_PREFIX));
    assert.deepEqual(stored.map((o) => o.key), [report!.reportKey]);
    assert.equal((JSON.parse(await h.s3.getText(BUCKET, report!.reportKey!)) as VerifyReport).totals.missing, 1);
    const records = logged.map((l) => { try { return JSON.parse(l); } catch { return {}; } });
    const summary = logged.find((l) => l.includes('"verify finished"'));
    assert.ok(summary, logged.join("\n"));
    assert.equal(assertPowertoolsRecord(summary).level, "ERROR");
    const metrics = records.find((l) => l._aws);
    assert.deepEqual(metrics._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name), [VERIFY_METRICS.missing, VERIFY_METRICS.mismatched]);
    assert.deepEqual([metrics.Stage, metrics[VERIFY_METRICS.missing], metrics[VERIFY_METRICS.mismatched]], ["test", 1, 0]);
  });
});
