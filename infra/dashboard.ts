/**
 * A CloudWatch dashboard per stack: archive lag per instance, bytes and files archived, failures and deferred
 * files, runs, dead letters and (with fan-out) queue age. The body is built by a pure function from the metric names
 * and dimensions the engine emits (archiver/metrics/emf.ts), so the two cannot drift.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { INSTANCE_DIMENSION, METRICS_NAMESPACE, STAGE_DIMENSION, SYNC_METRICS } from "../archiver/metrics/emf";
import type { AwsTarget } from "./account";
import type { DeadLetterQueueWatch } from "./alarms";

export interface ArchiveDashboardArgs {
  /** The dashboard's name: the sync function's, `<project>-<stage>`. */
  dashboardName: string;
  stage: string;
  target: pulumi.Input<AwsTarget>;
  /** The schedule interval in seconds: the period of the run widgets. */
  intervalSeconds: number;
  lagAlarmMinutes: number;
  deadLetterQueues: DeadLetterQueueWatch[];
  /** The work queue, once fan-out exists: adds a queue-age widget. */
  queueName?: pulumi.Input<string>;
}

export class ArchiveDashboard extends pulumi.ComponentResource {
  readonly dashboard: aws.cloudwatch.Dashboard;
  /** The dashboard in the CloudWatch console. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: ArchiveDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:ArchiveDashboard", name, {}, opts);
    const target = pulumi.output(args.target);
    const queues = pulumi.all(args.deadLetterQueues.map((q) => pulumi.output(q.queueName).apply((queueName) => ({ label: q.label, queueName }))));
    const queueName = args.queueName === undefined ? pulumi.output(undefined) : pulumi.output(args.queueName);

    this.dashboard = new aws.cloudwatch.Dashboard(name, {
      dashboardName: args.dashboardName,
      dashboardBody: pulumi.all([target, queues, queueName]).apply(([t, deadLetterQueues, queue]) =>
        JSON.stringify(dashboardBody({ ...args, region: t.region, deadLetterQueues, queueName: queue })),
      ),
    }, { parent: this });
    this.url = target.apply((t) => dashboardUrl(t, args.dashboardName));
    this.registerOutputs({ url: this.url });
  }
}

export interface DashboardInputs {
  stage: string;
  region: string;
  intervalSeconds: number;
  lagAlarmMinutes: number;
  deadLetterQueues: { label: string; queueName: string }[];
  queueName?: string;
}

/** A metric line of a widget: [namespace, name, dimension, value, ..., options], or a search expression. */
type MetricLine = (string | Record<string, unknown>)[];

interface Widget {
  type: "metric";
  width: number;
  height: number;
  properties: Record<string, unknown> & { title: string; metrics: MetricLine[] };
}

export function dashboardBody(d: DashboardInputs): { widgets: Widget[] } {
  const period = Math.max(60, Math.ceil(d.intervalSeconds / 60) * 60);
  const stage = (name: string, stat: string, label: string): MetricLine => [METRICS_NAMESPACE, name, STAGE_DIMENSION, d.stage, { stat, label, period }];
  const widget = (title: string, metrics: MetricLine[], extra: Record<string, unknown> = {}): Widget => ({
    type: "metric",
    width: 12,
    height: 6,
    properties: { title, region: d.region, view: "timeSeries", stacked: false, period, metrics, ...extra },
  });
  // One line per instance, whatever instances report: Aurora members come and go, so no fixed list would hold them.
  const perInstance =
    `SEARCH('{${METRICS_NAMESPACE},${INSTANCE_DIMENSION},${STAGE_DIMENSION}} MetricName="${SYNC_METRICS.archiveLag}" ` +
    `${STAGE_DIMENSION}="${d.stage}"', 'Maximum', ${period})`;
  const widgets = [
    widget("Archive lag per instance (seconds)", [[{ expression: perInstance, id: "lag", label: "" }]], {
      annotations: { horizontal: [{ label: "lag alarm", value: d.lagAlarmMinutes * 60 }] },
      yAxis: { left: { min: 0 } },
    }),
    widget("Bytes archived", [stage(SYNC_METRICS.bytesCopied, "Sum", "read from RDS"), stage(SYNC_METRICS.bytesStored, "Sum", "stored (gzip)")]),
    widget("Files archived", [stage(SYNC_METRICS.filesCopied, "Sum", "archived")]),
    widget("Failures and deferred files", [stage(SYNC_METRICS.failures, "Sum", "failures"), stage(SYNC_METRICS.filesDeferred, "Sum", "deferred to the next run")]),
    widget("Runs", [stage(SYNC_METRICS.runs, "Sum", "runs"), stage(SYNC_METRICS.successfulRuns, "Sum", "successful")]),
    widget(
      "Dead letters",
      d.deadLetterQueues.map((q) => ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q.queueName, { stat: "Maximum", label: q.label, period: 300 }]),
    ),
  ];
  if (d.queueName) {
    widgets.push(widget("Work queue: age of the oldest message (seconds)", [["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", d.queueName, { stat: "Maximum", period: 60 }]]));
  }
  return { widgets: widgets.filter((w) => w.properties.metrics.length > 0) };
}

/** The dashboard's page in the CloudWatch console of the target's partition. */
export function dashboardUrl(t: Pick<AwsTarget, "partition" | "region">, dashboardName: string): string {
  const host = t.partition === "aws-cn" ? "console.amazonaws.cn" : t.partition === "aws-us-gov" ? "console.amazonaws-us-gov.com" : "console.aws.amazon.com";
  return `https://${t.region}.${host}/cloudwatch/home?region=${t.region}#dashboards:name=${encodeURIComponent(dashboardName)}`;
}
