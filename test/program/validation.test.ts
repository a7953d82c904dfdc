// Bad config fails `pulumi preview` with a message naming the key, and registers no resource. Each case loads
// the program in its own process with the live stack file plus one bad value. The checks that need the account
// and region also run as `pulumi up --skip-preview` would (no dry run): they too must stop before any resource.
import * as assert from "node:assert/strict";
import { LoadResult, loadProgram, stackFileConfig } from "./harness";

interface Case {
  title: string;
  config: Record<string, string>;
  /** Keys of the stack file left out. */
  without?: string[];
  region?: string;
  /** false: load as `pulumi up --skip-preview` (default: as `pulumi preview`). */
  preview?: boolean;
  /** The key the message names, with its namespace when it is not the project's. */
  key: string;
  message: RegExp;
}

const cases: Case[] = [
  {
    title: "a stack file without aws:allowedAccountIds",
    config: {},
    without: ["aws:allowedAccountIds"],
    key: "aws:allowedAccountIds",
    message: /required: .*the credentials in use belong to 123456789012/,
  },
  {
    title: "credentials of another account than aws:allowedAccountIds names",
    config: { "aws:allowedAccountIds": JSON.stringify(["111122223333"]) },
    preview: false,
    key: "aws:allowedAccountIds",
    message: /the credentials in use belong to account 123456789012, but this stack deploys only into 111122223333/,
  },
  {
    title: "a bucket name longer than 63 characters once the account and region are added",
    config: { "rds-log-archiver:bucketName": "a".repeat(38) },
    region: "ap-southeast-2",
    preview: false,
    key: "bucketName",
    message: /"123456789012-a{38}-ap-southeast-2" is 66 characters, S3 allows 63/,
  },
  {
    title: "a bucket name too long for any region",
    config: { "rds-log-archiver:bucketName": "archive-of-every-rds-log-file-this-company-owns" },
    key: "bucketName",
    message: /exceed 63 characters in every region/,
  },
  {
    title: "a bucket name with invalid characters",
    config: { "rds-log-archiver:bucketName": "Prod_RDS.Logs" },
    key: "bucketName",
    message: /may contain only lower-case letters, digits and hyphens/,
  },
  {
    title: "an invalid instance identifier",
    config: { "rds-log-archiver:instances": JSON.stringify(["1prod-rds"]) },
    key: "instances",
    message: /"1prod-rds" is not a valid RDS identifier/,
  },
  {
    title: "an invalid cluster identifier",
    config: { "rds-log-archiver:clusters": JSON.stringify(["orders--aurora"]) },
    key: "clusters",
    message: /"orders--aurora" is not a valid RDS identifier/,
  },
  {
    title: "empty instance and cluster lists",
    config: { "rds-log-archiver:instances": "[]", "rds-log-archiver:clusters": "[]" },
    key: "instances",
    message: /name at least one DB instance here or one Aurora cluster in rds-log-archiver:clusters/,
  },
  {
    title: "a duplicate instance",
    config: { "rds-log-archiver:instances": JSON.stringify(["prod-rds", "prod-rds"]) },
    key: "instances",
    message: /"prod-rds" is listed more than once/,
  },
  {
    title: "a duplicate cluster",
    config: { "rds-log-archiver:clusters": JSON.stringify(["orders", "orders"]) },
    key: "clusters",
    message: /"orders" is listed more than once/,
  },
  {
    title: "an invalid rate expression",
    config: { "rds-log-archiver:schedule": "rate(5 minute)" },
    key: "schedule",
    message: /write rate\(5 minutes\)/,
  },
  {
    title: "an invalid cron expression",
    config: { "rds-log-archiver:schedule": "cron(0 12 * * * *)" },
    key: "schedule",
    message: /exactly one of day-of-month and day-of-week must be "\?"/,
  },
  {
    title: "something that is not a schedule expression",
    config: { "rds-log-archiver:schedule": "every 5 minutes" },
    key: "schedule",
    message: /is not a schedule expression/,
  },
  {
    title: "a KMS key in another region than the bucket",
    config: { "rds-log-archiver:kmsKeyArn": "arn:aws:kms:eu-central-1:123456789012:key/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab" },
    preview: false,
    key: "kmsKeyArn",
    message: /the key is in eu-central-1, but the bucket is in us-east-1/,
  },
  {
    title: "a log group name CloudWatch does not allow",
    config: { "rds-log-archiver:logGroups": JSON.stringify(["/aws/rds/instance/prod-rds/error", "/aws/rds/instance/prod rds/audit"]) },
    key: "logGroups",
    message: /"\/aws\/rds\/instance\/prod rds\/audit" is not a CloudWatch Logs group name/,
  },
  {
    title: "subscribing the subscription function's own log group",
    config: { "rds-log-archiver:logGroups": JSON.stringify(["/aws/lambda/rds-log-archiver-live-logs"]) },
    key: "logGroups",
    message: /subscribing it would loop/,
  },
  {
    title: "an alarm email that is not an address",
    config: { "rds-log-archiver:alarmEmail": "dba-oncall(at)example.com" },
    key: "alarmEmail",
    message: /"dba-oncall\(at\)example.com" is not an email address/,
  },
  {
    title: "a cron schedule without alarmIntervalMinutes",
    config: { "rds-log-archiver:schedule": "cron(0 3 * * ? *)" },
    key: "alarmIntervalMinutes",
    message: /required with the cron schedule/,
  },
  {
    title: "a memory size Lambda does not offer",
    config: { "rds-log-archiver:memorySize": "64" },
    key: "memorySize",
    message: /expected a whole number from 128 to 10240/,
  },
];

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

describe("validation at preview (each bad config in its own process)", function () {
  this.timeout(300_000);
  const results = new Map<string, LoadResult>();
  let control: LoadResult;

  before(async () => {
    const live = stackFileConfig("live");
    const configOf = (c: Case | undefined) =>
      Object.fromEntries(Object.entries({ ...live, ...(c?.config ?? {}) }).filter(([key]) => !c?.without?.includes(key)));
    const loaded = await pool([undefined, ...cases], 2, (c) =>
      loadProgram({ config: configOf(c), stack: "live", region: c?.region ?? "us-east-1", preview: c?.preview ?? true }),
    );
    control = loaded[0];
    cases.forEach((c, i) => results.set(c.title, loaded[i + 1]));
  });

  it("the committed live stack previews cleanly (the control)", () => {
    assert.ok(control.ok, `${control.error}\n${control.stderr}`);
  });

  for (const c of cases) {
    const key = c.key.includes(":") ? c.key : `rds-log-archiver:${c.key}`;
    it(`fails on ${c.title}, naming ${key}, with nothing registered${c.preview === false ? " (no dry run)" : ""}`, () => {
      const result = results.get(c.title)!;
      assert.equal(result.ok, false, "the program loaded");
      assert.ok(result.error?.includes(`${key}:`), `"${result.error}" does not name ${key}`);
      assert.match(result.error!, c.message);
      assert.deepEqual(result.resources?.map((r) => `${r.type} ${r.name}`), [], "resources were registered before the check failed");
    });
  }
});
