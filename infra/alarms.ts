/**
 * Run health: CloudWatch alarms on the metrics the functions log in Embedded Metric Format (namespace
 * RdsLogArchiver, dimension Stage = the stack name), all notifying one SNS topic, on ALARM and on OK.
 *
 *   failures           Failures > 0 in one schedule interval (files deferred to the next run are not failures)
 *   archive lag        ArchiveLagSeconds above lagAlarmMinutes
 *   no successful run  fewer than 1 SuccessfulRuns in 3 schedule intervals (no data counts as none)
 *   files lost         FilesLost > 0: a log file left RDS before it was archived (the gap ledger, _gaps/)
 *   rejected payloads  Rejected > 0 (events and subscriptions only)
 *   dead letters       a message waiting in a dead-letter queue (AWS/SQS)
 *   verify             Missing > 0 or Mismatched > 0 in a scheduled verify's report (when it is on)
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FILES_LOST_METRIC, METRICS_NAMESPACE, VERIFY_METRICS } from "../archiver/metrics/emf";

/** CloudWatch evaluates an alarm over at most 7 days (Period x EvaluationPeriods). */
export const MAX_ALARM_WINDOW_SECONDS = 7 * 24 * 3600;
/** How many schedule intervals may pass without a successful run. */
export const MISSED_INTERVALS = 3;
/** Rejected payloads and dead letters are not tied to the schedule: they are looked at every 5 minutes. */
export const EVENT_ALARM_PERIOD_SECONDS = 300;

/** An alarm period covering `seconds`: a whole number of minutes, within CloudWatch's 7-day window. */
export function alarmPeriod(seconds: number): number {
  return Math.min(Math.max(60, Math.ceil(seconds / 60) * 60), MAX_ALARM_WINDOW_SECONDS);
}

export interface DeadLetterQueueWatch {
  /** Short label for the alarm name: `events`, `logs`. */
  label: string;
  queueName: pulumi.Input<string>;
}

export interface RunAlarmsArgs {
  /** Prefix of the topic's and the alarms' names: the sync function's name, `rds-log-archiver-<stack>`. */
  namePrefix: string;
  /** The Stage dimension: the stack name, as the functions' ARCHIVE_STAGE. */
  stage: string;
  /** The schedule interval, in seconds (infra/config alarmIntervalSeconds). */
  intervalSeconds: number;
  lagAlarmMinutes: number;
  /** Empty: no email subscription. */
  alarmEmail: string;
  /** Watch the Rejected metric: only the events and subscription functions emit it. */
  watchRejected: boolean;
  deadLetterQueues: DeadLetterQueueWatch[];
  /** The scheduled verify's interval, in seconds, when it is on: its Missing and Mismatched metrics get an alarm each. */
  verifyIntervalSeconds?: number;
}

/** What an alarm states beyond the shared defaults. */
type AlarmProps = Pick<aws.cloudwatch.MetricAlarmArgs, "alarmDescription" | "metricName" | "statistic" | "period"> &
  Partial<Pick<aws.cloudwatch.MetricAlarmArgs, "namespace" | "dimensions" | "threshold" | "comparisonOperator" | "treatMissingData">>;

export class RunAlarms extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly emailSubscription?: aws.sns.TopicSubscription;
  readonly failures: aws.cloudwatch.MetricAlarm;
  readonly lag: aws.cloudwatch.MetricAlarm;
  readonly noSuccessfulRun: aws.cloudwatch.MetricAlarm;
  readonly filesLost: aws.cloudwatch.MetricAlarm;
  readonly rejected?: aws.cloudwatch.MetricAlarm;
  readonly deadLetters: aws.cloudwatch.MetricAlarm[];
  readonly verify: aws.cloudwatch.MetricAlarm[] = [];

  constructor(name: string, args: RunAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:RunAlarms", name, {}, opts);
    const parent = { parent: this };
    const prefix = args.namePrefix;

    // Unencrypted on purpose: CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key.
    // The messages hold alarm states and metric values, no log content.
    this.topic = new aws.sns.Topic(name, { name: `${prefix}-alarms`, displayName: `${prefix} alarms` }, parent);

    if (args.alarmEmail) {
      // The address receives a confirmation mail first; nothing is delivered until the link in it is followed.
      this.emailSubscription = new aws.sns.TopicSubscription(name, {
        topic: this.topic.arn,
        protocol: "email",
        endpoint: args.alarmEmail,
      }, parent);
    }

    const stage = { Stage: args.stage };
    const interval = alarmPeriod(args.intervalSeconds);
    const minutes = (s: number) => `${Math.round(s / 60)} minutes`;
    // Every alarm notifies the topic on ALARM and on OK, over one evaluation period; by default it fires
    // when the metric is above 0 and treats missing data as fine.
    const alarm = (resourceSuffix: string, alarmName: string, props: AlarmProps) =>
      new aws.cloudwatch.MetricAlarm(`${name}-${resourceSuffix}`, {
        name: `${prefix}-${alarmName}`,
        namespace: METRICS_NAMESPACE,
        dimensions: stage,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...props,
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
      }, parent);

    this.failures = alarm("failures", "failures", {
      alarmDescription:
        `A sync run of stage ${args.stage} failed to archive a file or an instance within one schedule interval (${minutes(interval)}). ` +
        `Read the run's report in the function's log group; the next run retries what failed. ` +
        `Files deferred for lack of run time (metric FilesDeferred) are not failures; if they pile up, the archive-lag alarm says so.`,
      metricName: "Failures",
      statistic: "Sum",
      period: interval,
    });

    this.lag = alarm("lag", "archive-lag", {
      alarmDescription:
        `A closed RDS log file of stage ${args.stage} has waited more than ${args.lagAlarmMinutes} minutes to be archived. ` +
        `RDS deletes log files after their retention period: find the failing instance (metric ArchiveLagSeconds by Instance) and fix it before then.`,
      metricName: "ArchiveLagSeconds",
      statistic: "Maximum",
      period: interval,
      threshold: args.lagAlarmMinutes * 60,
    });

    const missed = alarmPeriod(MISSED_INTERVALS * args.intervalSeconds);
    this.noSuccessfulRun = alarm("no-successful-run", "no-successful-run", {
      alarmDescription:
        `No sync run of stage ${args.stage} has fully succeeded in ${minutes(missed)} (${MISSED_INTERVALS} schedule intervals), ` +
        `or none ran at all: check the schedule rule, the function's errors and throttles, and its log group. ` +
        `A run that only deferred files to the next run counts as successful.`,
      metricName: "SuccessfulRuns",
      statistic: "Sum",
      period: missed,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      // A run that never started logs nothing: no data is the failure this alarm exists for.
      treatMissingData: "breaching",
    });

    this.filesLost = alarm("files-lost", "files-lost", {
      alarmDescription:
        `A log file of stage ${args.stage} left RDS before it was archived: rotated away, deleted by retention, or removed by Aurora ` +
        `when its log storage filled. Each one is recorded under _gaps/<group>/<instance>/ in the archive bucket, and in the run's report. ` +
        `The archive cannot get it back: look for what kept the sync from archiving it in time (an outage, failures, a chain rotating faster than the schedule).`,
      metricName: FILES_LOST_METRIC,
      statistic: "Sum",
      // Not tied to the schedule: the events function publishes it too.
      period: EVENT_ALARM_PERIOD_SECONDS,
    });

    if (args.watchRejected) {
      this.rejected = alarm("rejected", "rejected", {
        alarmDescription:
          `Stage ${args.stage} received an RDS event or a CloudWatch Logs delivery it could not archive. ` +
          `It is kept, with the error, under _rejected/<YYYY>/<MM>/<DD>/ in the archive bucket.`,
        metricName: "Rejected",
        statistic: "Sum",
        period: EVENT_ALARM_PERIOD_SECONDS,
      });
    }

    // Missing data is fine here too: SQS stops publishing metrics for a queue that has been empty and idle for hours.
    this.deadLetters = args.deadLetterQueues.map(({ label, queueName }) =>
      alarm(`${label}-dead-letters`, `${label}-dead-letters`, {
        alarmDescription:
          `Messages are waiting in the ${label} dead-letter queue of stage ${args.stage}: deliveries or invocations that ` +
          `failed after every retry. Read them (aws sqs receive-message), fix the cause, then replay or delete them; ` +
          `SQS keeps them 14 days.`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: queueName },
        statistic: "Maximum",
        period: EVENT_ALARM_PERIOD_SECONDS,
      }),
    );

    if (args.verifyIntervalSeconds !== undefined) {
      const period = alarmPeriod(args.verifyIntervalSeconds);
      const what = { missing: "closed RDS log files that are not archived, or that left RDS unarchived (the gap ledger)", mismatched: "archive objects whose metadata, content or digest does not match" };
      this.verify = (["missing", "mismatched"] as const).map((kind) =>
        alarm(`verify-${kind}`, `verify-${kind}`, {
          alarmDescription:
            `The scheduled verify of stage ${args.stage} found ${what[kind]}. Its report, naming each one, is under _verify/ in ` +
            `the archive bucket; run rds-log-archiver verify for the current state.`,
          metricName: VERIFY_METRICS[kind],
          statistic: "Maximum",
          period,
        }),
      );
    }

    this.registerOutputs({ topicArn: this.topic.arn });
  }
}
