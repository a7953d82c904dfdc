// The dashboard shows only metrics the engine emits: every metric of its body (by namespace, name and dimension names)
// is one of the EMF lines a real sync logs, in this process and from the serialized function.
import { strict as assert } from "assert";
import { createSyncHandler } from "../../archiver";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { dashboardBody } from "../../infra/dashboard";
import { FunctionHost } from "../shipped/host";
import { shipped } from "../shipped/packages";
import { BUCKET, HOUR, lines, RUNNERS, SCHEDULED_EVENT, startHarness, type Harness, type Runner } from "./harness";
import { captureStdout } from "./log-lines";

/** What identifies a CloudWatch metric: namespace, name, and the names of its dimensions. */
const id = (namespace: string, name: string, dimensions: string[]) => `${namespace} ${name} [${[...dimensions].sort().join(",")}]`;

/** Every metric the EMF lines define. */
function emitted(logged: string[]): Set<string> {
  const out = new Set<string>();
  for (const line of logged.filter((l) => l.startsWith('{"_aws"'))) {
    const parsed = JSON.parse(line);
    for (const directive of parsed._aws.CloudWatchMetrics) {
      for (const dims of directive.Dimensions as string[][]) {
        for (const m of directive.Metrics as { Name: string }[]) {
          assert.equal(typeof parsed[m.Name], "number", `${m.Name} has no value`);
          for (const d of dims) assert.equal(typeof parsed[d], "string", `dimension ${d} has no value`);
          out.add(id(directive.Namespace, m.Name, dims));
        }
      }
    }
  }
  return out;
}

/** Every metric the dashboard reads, outside AWS's own namespaces: plain metric lines and SEARCH expressions. */
function shown(body: ReturnType<typeof dashboardBody>): string[] {
  const out: string[] = [];
  for (const widget of body.widgets) {
    for (const line of widget.properties.metrics) {
      const [first] = line;
      if (typeof first === "object") {
        const m = /^SEARCH\('\{([^}]+)\} MetricName="([^"]+)"/.exec(String(first.expression));
        assert.ok(m, `unreadable expression ${String(first.expression)}`);
        const [namespace, ...dimensions] = m[1].split(",");
        out.push(id(namespace, m[2], dimensions));
        continue;
      }
      const strings = line.filter((x): x is string => typeof x === "string");
      const [namespace, name, ...pairs] = strings;
      if (namespace.startsWith("AWS/")) continue;
      out.push(id(namespace, name, pairs.filter((_, i) => i % 2 === 0)));
    }
  }
  return out;
}

async function syncLog(runner: Runner, h: Harness): Promise<string[]> {
  const env = { ...h.env, ARCHIVE_BUCKET: BUCKET, RDS_INSTANCES: "db1,ghost-db", ARCHIVE_STAGE: "live" };
  if (runner === "serialized") {
    const host = await FunctionHost.start(await shipped("sync"), { env });
    try {
      return (await host.invoke(SCHEDULED_EVENT, { remainingMs: 600_000 })).logs;
    } finally {
      await host.stop();
    }
  }
  const { lines, error } = await captureStdout(() => createSyncHandler(loadAwsSdk(), env)(SCHEDULED_EVENT, {}));
  if (error) throw error;
  return lines;
}

for (const runner of RUNNERS) describe(`dashboard metrics (${runner})`, function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h.stop());

  it("every metric the dashboard shows is one a sync run emits, with the same dimensions", async () => {
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "error/postgresql.log.2024-10-01-00", lastWritten: Date.now() - 3 * HOUR, content: Buffer.from(lines("a", 3)) });
    const metrics = emitted(await syncLog(runner, h));
    const body = dashboardBody({
      stage: "live", region: "eu-west-1", intervalSeconds: 300, lagAlarmMinutes: 60,
      deadLetterQueues: [{ label: "events", queueName: "q-dlq" }], queueName: "work.fifo",
    });
    const names = shown(body);
    assert.ok(names.length >= 8, names.join("\n"));
    for (const name of names) assert.ok(metrics.has(name), `the dashboard shows ${name}, which no sync emits:\n${[...metrics].join("\n")}`);
  });
});
