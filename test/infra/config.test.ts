// The config rules, tested directly on the pure parser (no Pulumi runtime involved).
import * as assert from "node:assert/strict";
import {
  alarmIntervalSeconds,
  archiveBucketName,
  checkSubscribedLogGroups,
  ConfigError,
  DEFAULTS,
  functionNameFor,
  logGroupNameProblem,
  MAX_BUCKET_NAME_PART,
  parseConfig,
  scheduleExpressionProblem,
  scheduleIntervalSeconds,
} from "../../infra/config";
import { allowedAccountProblems, checkTarget, partitionOf } from "../../infra/account";
import { maximumEventAge } from "../../infra/schedule";
import { projectDefaults, stackFileConfig } from "./stack-files";

type Raw = Record<string, string>;
const base: Raw = { bucketName: "prod-rds-logs", instances: '["prod-rds"]' };
const parse = (raw: Raw) => parseConfig((key) => raw[key]);

/** The ConfigError parse throws for `raw`; fails if it does not throw one. */
function problemsOf(raw: Raw): ConfigError {
  try {
    parse(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(raw)}`);
}

function rejects(raw: Raw, key: string, pattern: RegExp): void {
  const err = problemsOf({ ...base, ...raw });
  assert.ok(err.message.includes(`rds-log-archiver:${key}:`), `"${err.message}" does not name rds-log-archiver:${key}`);
  assert.match(err.message, pattern);
}

describe("config", () => {
  describe("defaults", () => {
    it("apply to every optional key", () => {
      assert.deepEqual(parse(base), { ...DEFAULTS, bucketName: "prod-rds-logs", instances: ["prod-rds"] });
    });

    it("are the ones Pulumi.yaml declares, key for key", () => {
      const declared = projectDefaults();
      const expected = Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [`rds-log-archiver:${k}`, v]));
      assert.deepEqual(declared, expected);
    });
  });

  describe("lists", () => {
    it("accept the JSON arrays the CLI passes and comma- or space-separated strings", () => {
      assert.deepEqual(parse({ ...base, instances: '["a-1","b-2"]' }).instances, ["a-1", "b-2"]);
      assert.deepEqual(parse({ ...base, instances: "a-1, b-2 c-3" }).instances, ["a-1", "b-2", "c-3"]);
      assert.deepEqual(parse({ ...base, include: '["audit/", "error/"]' }).include, ["audit/", "error/"]);
    });

    it("reject a list that is not a list of strings", () => {
      rejects({ instances: "[1, 2]" }, "instances", /list of strings/);
      rejects({ clusters: "[not json" }, "clusters", /list of strings/);
    });

    it("need at least one instance or cluster", () => {
      rejects({ instances: "[]" }, "instances", /at least one/);
      assert.deepEqual(parse({ ...base, instances: "[]", clusters: '["orders"]' }).clusters, ["orders"]);
    });

    it("reject duplicates, in any letter case", () => {
      rejects({ instances: '["prod-rds","prod-rds"]' }, "instances", /"prod-rds" is listed more than once/);
      rejects({ clusters: '["orders","orders"]' }, "clusters", /listed more than once/);
      rejects({ include: '["audit/","audit/"]' }, "include", /listed more than once/);
    });

    it("reject include prefixes that would not survive the comma-separated env var", () => {
      rejects({ include: '["audit/,error/"]' }, "include", /commas or white space/);
    });
  });

  describe("identifiers", () => {
    for (const bad of ["1prod", "prod_rds", "prod--rds", "prod-", "-prod", "a".repeat(64), ""]) {
      it(`reject instance "${bad}"`, () => rejects({ instances: JSON.stringify([bad]) }, "instances", /not a valid RDS identifier/));
    }
    it("reject upper case (RDS stores ids lower-case and IAM compares ARNs exactly)", () => {
      rejects({ instances: '["Prod-RDS"]' }, "instances", /write "prod-rds"/);
    });
    it("reject an invalid cluster id under its own key", () => {
      rejects({ clusters: '["orders--aurora"]' }, "clusters", /not a valid RDS identifier/);
    });
    it("accept 63 characters", () => {
      assert.deepEqual(parse({ ...base, instances: JSON.stringify(["a".repeat(63)]) }).instances, ["a".repeat(63)]);
    });
  });

  describe("bucket name", () => {
    it("is required", () => rejects({ bucketName: "" }, "bucketName", /required/));

    for (const bad of ["Prod-Logs", "prod_logs", "prod.logs", "prod logs", "-prod", "prod-"]) {
      it(`rejects "${bad}"`, () => rejects({ bucketName: bad }, "bucketName", /lower-case letters, digits and hyphens|start and end/));
    }

    it("rejects a name that cannot fit in 63 characters in any region", () => {
      rejects({ bucketName: "a".repeat(MAX_BUCKET_NAME_PART + 1) }, "bucketName", /exceed 63 characters in every region/);
    });

    it("accepts a middle part of exactly the longest length that fits", () => {
      assert.equal(parse({ ...base, bucketName: "a".repeat(MAX_BUCKET_NAME_PART) }).bucketName.length, MAX_BUCKET_NAME_PART);
    });

    it("a full name of exactly 64 characters gets the length message, 63 passes", () => {
      const name = "a".repeat(MAX_BUCKET_NAME_PART);
      assert.equal(archiveBucketName("123456789012", name, "us-east-1").length, 63);
      assert.throws(
        () => archiveBucketName("123456789012", name, "eu-north-1"),
        (err: Error) => {
          assert.match(err.message, /rds-log-archiver:bucketName: the bucket name "123456789012-a+-eu-north-1" is 64 characters, S3 allows 63; shorten "a+" to at most 39 characters/);
          assert.doesNotMatch(err.message, /not a valid S3 bucket name/);
          return true;
        },
      );
    });

    it("is <accountId>-<bucketName>-<region> once the account and region are known", () => {
      assert.equal(archiveBucketName("123456789012", "prod-rds-logs", "eu-west-1"), "123456789012-prod-rds-logs-eu-west-1");
    });

    it("fails, naming the key, when the region makes it longer than 63 characters", () => {
      const name = "a".repeat(MAX_BUCKET_NAME_PART); // fits with a 9-character region only
      assert.equal(archiveBucketName("123456789012", name, "us-east-1").length, 63);
      assert.throws(() => archiveBucketName("123456789012", name, "ap-southeast-2"), /rds-log-archiver:bucketName: .* 68 characters, S3 allows 63; shorten .* to at most 35/);
    });

    it("fails when the KMS key is in another region than the bucket", () => {
      const config = parse({ ...base, kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/abcd-1234" });
      assert.throws(
        () => checkTarget(config, { accountId: "123456789012", region: "eu-west-1", partition: "aws" }, '["123456789012"]'),
        /rds-log-archiver:kmsKeyArn: the key is in us-west-2, but the bucket is in eu-west-1/,
      );
    });
  });

  describe("aws:allowedAccountIds", () => {
    const ACCOUNT = "123456789012";
    const messages = (raw: string | undefined) => allowedAccountProblems(raw, ACCOUNT).map((p) => `${p.key}: ${p.message}`);

    it("accepts a list (as the stack file's YAML list arrives) or a single id that includes the credentials' account", () => {
      assert.deepEqual(messages('["210987654321", "123456789012"]'), []);
      assert.deepEqual(messages("123456789012"), []);
    });

    it("is required: the message names the key and the credentials' account", () => {
      for (const raw of [undefined, "", "[]"]) {
        const [message, ...rest] = messages(raw);
        assert.equal(rest.length, 0);
        assert.match(message, /^aws:allowedAccountIds: required: .*the credentials in use belong to 123456789012/);
      }
    });

    it("names the key and both account ids when the credentials belong to another account", () => {
      assert.deepEqual(messages('["111122223333"]'), [
        "aws:allowedAccountIds: the credentials in use belong to account 123456789012, but this stack deploys only into 111122223333: " +
          "use that account's credentials (or fix the stack file)",
      ]);
    });

    it("refuses ids that are not 12 digits, and a value that is not a list of strings", () => {
      assert.deepEqual(messages('["12345678901", "12345678901a"]'), [
        'aws:allowedAccountIds: "12345678901" is not a 12-digit AWS account id',
        'aws:allowedAccountIds: "12345678901a" is not a 12-digit AWS account id',
      ]);
      assert.match(messages("[123456789012]")[0], /^aws:allowedAccountIds: expected a list of strings/);
    });

    it("checkTarget reports the account, the key's region and the bucket name's length together", () => {
      const config = parse({ ...base, bucketName: "a".repeat(MAX_BUCKET_NAME_PART), kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k" });
      assert.throws(
        () => checkTarget(config, { accountId: ACCOUNT, region: "ap-southeast-2", partition: "aws" }, '["111122223333"]'),
        (err: ConfigError) => assert.deepEqual(err.problems.map((p) => p.key), ["aws:allowedAccountIds", "kmsKeyArn", "bucketName"]) ?? true,
      );
      assert.equal(checkTarget(parse(base), { accountId: ACCOUNT, region: "eu-west-1", partition: "aws" }, '["123456789012"]'), "123456789012-prod-rds-logs-eu-west-1");
    });
  });

  describe("schedule", () => {
    for (const good of ["rate(1 minute)", "rate(5 minutes)", "rate(2 hours)", "rate(1 day)", "cron(0/15 * * * ? *)", "cron(0 3 ? * MON-FRI *)", "cron(30 2 1 * ? 2030)", "cron(0 12 L * ? *)", "cron(0 8 ? * 2#1 *)"]) {
      it(`accepts ${good}`, () => assert.equal(scheduleExpressionProblem(good), undefined));
    }
    for (const [bad, why] of [
      ["rate(5 minute)", /rate\(5 minutes\)/],
      ["rate(1 minutes)", /rate\(1 minute\)/],
      ["rate(0 minutes)", /at least 1/],
      ["rate(5 weeks)", /not a schedule expression/],
      ["every 5 minutes", /not a schedule expression/],
      ["cron(0 12 * * *)", /6 fields/],
      ["cron(0 12 * * * *)", /exactly one of day-of-month and day-of-week/],
      ["cron(0 12 ? * ? *)", /exactly one of day-of-month and day-of-week/],
      ["cron(61 * * * ? *)", /invalid minutes field/],
      ["cron(0 24 * * ? *)", /invalid hours field/],
      ["cron(0 0 * 13 ? *)", /invalid month field/],
      ["cron(0 0 ? * FUNDAY *)", /invalid day-of-week field/],
    ] as const) {
      it(`rejects ${bad}`, () => rejects({ schedule: bad }, "schedule", why));
    }

    it("verifySchedule: weekly by default, an empty string turns it off, a bad one is named", () => {
      assert.equal(parse(base).verifySchedule, "rate(7 days)");
      assert.equal(parse({ ...base, verifySchedule: "" }).verifySchedule, "");
      assert.equal(parse({ ...base, verifySchedule: "cron(0 3 ? * SUN *)" }).verifySchedule, "cron(0 3 ? * SUN *)");
      rejects({ verifySchedule: "weekly" }, "verifySchedule", /not a schedule expression.*or "" to turn the scheduled verify off/);
    });

    it("knows a rate's interval, for dropping stale ticks", () => {
      assert.equal(scheduleIntervalSeconds("rate(5 minutes)"), 300);
      assert.equal(scheduleIntervalSeconds("rate(2 hours)"), 7200);
      assert.equal(scheduleIntervalSeconds("cron(0 3 * * ? *)"), undefined);
      assert.equal(maximumEventAge("rate(1 minute)"), 60);
      assert.equal(maximumEventAge("rate(1 day)"), 21600);
      assert.equal(maximumEventAge("cron(0 3 * * ? *)"), 3600);
    });
  });

  describe("numbers, switches and lifecycle", () => {
    it("parse numbers and booleans from the CLI's strings", () => {
      const c = parse({ ...base, memorySize: "1024", timeout: "900", concurrency: "8", versioning: "true", logRetentionDays: "365" });
      assert.deepEqual([c.memorySize, c.timeout, c.concurrency, c.versioning, c.logRetentionDays], [1024, 900, 8, true, 365]);
    });

    it("reject values out of range or of the wrong type", () => {
      rejects({ memorySize: "64" }, "memorySize", /128 to 10240/);
      rejects({ memorySize: "lots" }, "memorySize", /whole number/);
      rejects({ timeout: "901" }, "timeout", /1 to 900/);
      rejects({ concurrency: "0" }, "concurrency", /1 to 32/);
      rejects({ activeRefreshMinutes: "-5" }, "activeRefreshMinutes", /whole number/);
      rejects({ connectTimeoutSeconds: "0" }, "connectTimeoutSeconds", /1 to 300/);
      rejects({ readTimeoutSeconds: "1.5" }, "readTimeoutSeconds", /whole number/);
      rejects({ timeout: "60", readTimeoutSeconds: "60" }, "readTimeoutSeconds", /less than rds-log-archiver:timeout \(60 s\)/);
      assert.equal(parse({ ...base, timeout: "60", readTimeoutSeconds: "59" }).readTimeoutSeconds, 59);
      rejects({ versioning: "yes" }, "versioning", /true or false/);
      rejects({ logRetentionDays: "10" }, "logRetentionDays", /CloudWatch Logs accepts only/);
    });

    it("reject a storage class S3 does not have, and IA sooner than 30 days", () => {
      rejects({ transitionStorageClass: "COLD" }, "transitionStorageClass", /expected one of STANDARD_IA/);
      rejects({ transitionDays: "7" }, "transitionDays", /no sooner than 30 days/);
      assert.equal(parse({ ...base, transitionDays: "7", transitionStorageClass: "GLACIER_IR" }).transitionDays, 7);
    });

    it("reject an expiry that does not come after the transition", () => {
      rejects({ transitionDays: "90", expirationDays: "60" }, "expirationDays", /greater than rds-log-archiver:transitionDays \(90\)/);
      assert.equal(parse({ ...base, transitionDays: "0", expirationDays: "60" }).expirationDays, 60);
    });

    it("reject a KMS value that is not a key ARN", () => {
      rejects({ kmsKeyArn: "alias/archive" }, "kmsKeyArn", /expected a KMS key ARN/);
    });
  });

  describe("events, subscriptions and alarms", () => {
    it("archive events by default; archiveEvents is a boolean", () => {
      assert.equal(parse(base).archiveEvents, true);
      assert.equal(parse({ ...base, archiveEvents: "false" }).archiveEvents, false);
      rejects({ archiveEvents: "yes" }, "archiveEvents", /true or false/);
    });

    it("accept RDS's exported log groups and any name CloudWatch allows", () => {
      const groups = ["/aws/rds/instance/prod-rds/error", "/aws/rds/cluster/orders-aurora/audit", "app_logs#1.x", "a".repeat(512)];
      assert.deepEqual(parse({ ...base, logGroups: JSON.stringify(groups) }).logGroups, groups);
      assert.deepEqual(parse({ ...base, logGroups: "/aws/rds/instance/a/error,/aws/rds/instance/b/error" }).logGroups, [
        "/aws/rds/instance/a/error",
        "/aws/rds/instance/b/error",
      ]);
    });

    for (const [bad, why] of [
      ["/aws/rds/instance/prod rds/error", /" " is not allowed/],
      ["/aws/rds/instance/prod-rds:error", /":" is not allowed/],
      ["/aws/rds/instance/*/error", /"\*" is not allowed/],
      ["/logs/é", /"é" is not allowed/],
      ["a".repeat(513), /513 characters; CloudWatch allows 512/],
    ] as const) {
      it(`reject log group "${bad.slice(0, 40)}"`, () => rejects({ logGroups: JSON.stringify([bad]) }, "logGroups", why));
    }

    it("reject an empty and a duplicate log group", () => {
      assert.match(logGroupNameProblem("") ?? "", /cannot be empty/);
      rejects({ logGroups: JSON.stringify(["/aws/rds/instance/prod-rds/error", "/aws/rds/instance/prod-rds/error"]) }, "logGroups", /listed more than once/);
    });

    it("reject subscribing the subscription function's own log group", () => {
      assert.throws(
        () => checkSubscribedLogGroups(["/aws/lambda/rds-log-archiver-live-logs"], ["/aws/lambda/rds-log-archiver-live-logs"]),
        /rds-log-archiver:logGroups: .*would loop/,
      );
      checkSubscribedLogGroups(["/aws/lambda/rds-log-archiver-live"], ["/aws/lambda/rds-log-archiver-live-logs"]);
    });

    it("accept an email address, or none", () => {
      assert.equal(parse({ ...base, alarmEmail: " dba-oncall+rds@example.co.uk " }).alarmEmail, "dba-oncall+rds@example.co.uk");
      assert.equal(parse(base).alarmEmail, "");
    });

    for (const bad of ["dba", "dba@", "@example.com", "dba@example", "dba oncall@example.com", "DBA <dba@example.com>", "dba@exa_mple.com"]) {
      it(`reject alarm email "${bad}"`, () => rejects({ alarmEmail: bad }, "alarmEmail", /is not an email address/));
    }

    it("lagAlarmMinutes is a whole number of minutes, default 60", () => {
      assert.equal(parse(base).lagAlarmMinutes, 60);
      assert.equal(parse({ ...base, lagAlarmMinutes: "240" }).lagAlarmMinutes, 240);
      rejects({ lagAlarmMinutes: "0" }, "lagAlarmMinutes", /1 to 10080/);
      rejects({ lagAlarmMinutes: "1h" }, "lagAlarmMinutes", /whole number/);
    });

    it("the alarms' interval comes from a rate(), or from alarmIntervalMinutes, which a cron() schedule requires", () => {
      assert.equal(alarmIntervalSeconds(parse(base)), 300);
      assert.equal(alarmIntervalSeconds(parse({ ...base, schedule: "rate(2 hours)" })), 7200);
      assert.equal(alarmIntervalSeconds(parse({ ...base, schedule: "rate(2 hours)", alarmIntervalMinutes: "180" })), 10800);
      rejects({ schedule: "cron(0 3 * * ? *)" }, "alarmIntervalMinutes", /required with the cron schedule "cron\(0 3 \* \* \? \*\)"/);
      assert.equal(alarmIntervalSeconds(parse({ ...base, schedule: "cron(0 3 * * ? *)", alarmIntervalMinutes: "1440" })), 86400);
    });

    it("name the events and subscription functions after the sync function", () => {
      assert.equal(functionNameFor("rds-log-archiver", "live", "events"), "rds-log-archiver-live-events");
      assert.throws(() => functionNameFor("rds-log-archiver", "x".repeat(44), "events"), /longer than 64/);
    });
  });

  describe("Athena and Object Lock", () => {
    it("are off by default; a mode is read in either case and needs a retention", () => {
      assert.deepEqual([parse(base).athena, parse(base).objectLockMode, parse(base).objectLockRetentionDays], [false, "", 0]);
      const locked = parse({ ...base, objectLockMode: "governance", objectLockRetentionDays: "365" });
      assert.deepEqual([locked.objectLockMode, locked.objectLockRetentionDays], ["GOVERNANCE", 365]);
      rejects({ objectLockMode: "COMPLIANCE" }, "objectLockRetentionDays", /required with objectLockMode COMPLIANCE/);
      rejects({ objectLockMode: "legal-hold", objectLockRetentionDays: "1" }, "objectLockMode", /GOVERNANCE or COMPLIANCE/);
      rejects({ objectLockRetentionDays: "30" }, "objectLockRetentionDays", /no effect without objectLockMode/);
    });

    it("Object Lock with active-file refreshes fails, naming both keys", () => {
      const err = problemsOf({ ...base, objectLockMode: "COMPLIANCE", objectLockRetentionDays: "30", activeRefreshMinutes: "15" });
      assert.deepEqual(err.problems.map((p) => p.key), ["objectLockMode", "activeRefreshMinutes"]);
      assert.match(err.message, /rds-log-archiver:objectLockMode: conflicts with activeRefreshMinutes = 15/);
      assert.match(err.message, /rds-log-archiver:activeRefreshMinutes: conflicts with objectLockMode = COMPLIANCE/);
      assert.equal(parse({ ...base, objectLockMode: "COMPLIANCE", objectLockRetentionDays: "30", activeRefreshMinutes: "0" }).objectLockMode, "COMPLIANCE");
    });

    it("athena: true with an include folder the projection cannot express fails with the reason", () => {
      assert.equal(parse({ ...base, athena: "true", include: '["error/", "slowquery/"]' }).athena, true);
      rejects({ athena: "true", include: '["_trace/"]' }, "athena", /include folder "_trace" is stored as the segment "%5Ftrace"/);
      assert.equal(parse({ ...base, include: '["_trace/"]' }).athena, false);
    });
  });

  it("reports every problem at once, each with its key", () => {
    const err = problemsOf({ bucketName: "Bad_Name", instances: '["1x"]', schedule: "hourly", memorySize: "1" });
    assert.deepEqual(err.problems.map((p) => p.key), ["bucketName", "instances", "schedule", "memorySize"]);
    for (const key of ["bucketName", "instances", "schedule", "memorySize"]) assert.match(err.message, new RegExp(`rds-log-archiver:${key}: `));
  });

  it("names the function after the project and stack", () => {
    assert.equal(functionNameFor("rds-log-archiver", "live"), "rds-log-archiver-live");
    assert.equal(functionNameFor("rds-log-archiver", "team.stage"), "rds-log-archiver-team-stage");
    assert.throws(() => functionNameFor("rds-log-archiver", "x".repeat(60)), /longer than 64/);
  });

  it("derives the ARN partition from the region", () => {
    assert.deepEqual(["eu-west-1", "cn-north-1", "us-gov-west-1"].map(partitionOf), ["aws", "aws-cn", "aws-us-gov"]);
  });
});

// The live stack file with one bad value each: every one fails, naming its key. (test/program/validation.test.ts
// proves, for a few of them, that the program stops on such a problem before any resource is registered.)
describe("config: the live stack file with one bad value", () => {
  const live = stackFileConfig("live");
  const cases: [title: string, config: Raw, key: string, message: RegExp][] = [
    ["a bucket name too long for any region", { bucketName: "archive-of-every-rds-log-file-this-company-owns" }, "bucketName", /exceed 63 characters in every region/],
    ["a bucket name with invalid characters", { bucketName: "Prod_RDS.Logs" }, "bucketName", /may contain only lower-case letters, digits and hyphens/],
    ["an invalid instance identifier", { instances: JSON.stringify(["1prod-rds"]) }, "instances", /"1prod-rds" is not a valid RDS identifier/],
    ["an invalid cluster identifier", { clusters: JSON.stringify(["orders--aurora"]) }, "clusters", /"orders--aurora" is not a valid RDS identifier/],
    ["an upper-case identifier", { instances: JSON.stringify(["Prod-RDS"]) }, "instances", /RDS stores identifiers in lower case; write "prod-rds"/],
    ["empty instance and cluster lists", { instances: "[]", clusters: "[]" }, "instances", /name at least one DB instance here or one Aurora cluster in rds-log-archiver:clusters/],
    ["a duplicate instance", { instances: JSON.stringify(["prod-rds", "prod-rds"]) }, "instances", /"prod-rds" is listed more than once/],
    ["a duplicate cluster", { clusters: JSON.stringify(["orders", "orders"]) }, "clusters", /"orders" is listed more than once/],
    ["an invalid rate expression", { schedule: "rate(5 minute)" }, "schedule", /write rate\(5 minutes\)/],
    ["an invalid cron expression", { schedule: "cron(0 12 * * * *)" }, "schedule", /exactly one of day-of-month and day-of-week must be "\?"/],
    ["something that is not a schedule expression", { schedule: "every 5 minutes" }, "schedule", /is not a schedule expression/],
    ["a log group name CloudWatch does not allow", { logGroups: JSON.stringify(["/aws/rds/instance/prod-rds/error", "/aws/rds/instance/prod rds/audit"]) }, "logGroups", /"\/aws\/rds\/instance\/prod rds\/audit" is not a CloudWatch Logs group name/],
    ["an alarm email that is not an address", { alarmEmail: "dba-oncall(at)example.com" }, "alarmEmail", /"dba-oncall\(at\)example.com" is not an email address/],
    ["a cron schedule without alarmIntervalMinutes", { schedule: "cron(0 3 * * ? *)" }, "alarmIntervalMinutes", /required with the cron schedule/],
    ["a memory size Lambda does not offer", { memorySize: "64" }, "memorySize", /expected a whole number from 128 to 10240/],
  ];

  it("the live stack file itself is valid (the control)", () => {
    assert.doesNotThrow(() => parseConfig((key) => live[`rds-log-archiver:${key}`]));
  });

  for (const [title, config, key, message] of cases) {
    it(`fails on ${title}, naming rds-log-archiver:${key}`, () => {
      const raw = { ...live, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [`rds-log-archiver:${k}`, v])) };
      let error: unknown;
      try {
        parseConfig((k) => raw[`rds-log-archiver:${k}`]);
      } catch (err) {
        error = err;
      }
      assert.ok(error instanceof ConfigError, `no ConfigError for ${title}`);
      assert.ok(error.message.includes(`rds-log-archiver:${key}:`), `"${error.message}" does not name rds-log-archiver:${key}`);
      assert.match(error.message, message);
    });
  }
});

