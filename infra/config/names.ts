/**
 * Names and identifiers the stack is configured with, and the names it derives: bucket, RDS identifiers,
 * CloudWatch Logs groups, email address, KMS key ARN, function names.
 */
import * as pulumi from "@pulumi/pulumi";
import { RESERVED_PREFIXES } from "../../archiver/layout/prefixes";
import { identifierProblem } from "../../archiver/rds-identifier";
import { ConfigError } from "./reader";

/** Problems with one configured instance or cluster id (archiver/rds-identifier.ts has the rule). */
export function configuredIdentifierProblems(id: string): string[] {
  const problems: string[] = [];
  const problem = identifierProblem(id);
  if (problem) problems.push(problem);
  const reserved = RESERVED_PREFIXES.find((prefix) => prefix === `${id}/`);
  if (reserved) problems.push(`"${id}" cannot be archived under its own name: the bucket's ${reserved} prefix belongs to the archiver`);
  return problems;
}

/** Problems with an include prefix: the engine's environment carries the list comma-separated. */
export function includePrefixProblems(prefix: string): string[] {
  return /[\s,]/.test(prefix) ? [`"${prefix}" must not contain commas or white space`] : [];
}

// ---- bucket name ------------------------------------------------------------------------------

const ACCOUNT_ID_LENGTH = 12;
/** The shortest AWS region names ("us-east-1", "eu-west-1") are 9 characters. */
const SHORTEST_REGION = 9;
/** The longest middle part that fits in any region: `<12 digits>-<name>-<region>` is at most 63 characters. */
export const MAX_BUCKET_NAME_PART = 63 - ACCOUNT_ID_LENGTH - 2 - SHORTEST_REGION;

/** Problems with the configured middle part alone (the account and region are checked once known). */
export function bucketNameProblems(name: string): string[] {
  if (!name) return ["required: the middle part of the bucket name <accountId>-<bucketName>-<region>"];
  const problems: string[] = [];
  if (!/^[a-z0-9-]+$/.test(name)) {
    problems.push(`"${name}" may contain only lower-case letters, digits and hyphens`);
  } else if (!/^[a-z0-9].*[a-z0-9]$|^[a-z0-9]$/.test(name)) {
    problems.push(`"${name}" must start and end with a letter or digit`);
  }
  if (name.length > MAX_BUCKET_NAME_PART) {
    problems.push(
      `"${name}" is ${name.length} characters; with the account id and region added the bucket name would exceed 63 ` +
        `characters in every region (at most ${MAX_BUCKET_NAME_PART} fit)`,
    );
  }
  return problems;
}

/**
 * Why `<accountId>-<bucketName>-<region>` is not a bucket name S3 accepts, or undefined when it is.
 * Called with the results of getCallerIdentity/getRegion, which resolve before any resource is registered.
 */
export function archiveBucketNameProblem(accountId: string, bucketName: string, region: string): string | undefined {
  const full = `${accountId}-${bucketName}-${region}`;
  if (full.length > 63) {
    return (
      `the bucket name "${full}" is ${full.length} characters, S3 allows 63; ` +
      `shorten "${bucketName}" to at most ${63 - accountId.length - region.length - 2} characters`
    );
  }
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(full)) return `"${full}" is not a valid S3 bucket name`;
  return undefined;
}

/** The full bucket name; throws a ConfigError naming bucketName when S3 would refuse it. */
export function archiveBucketName(accountId: string, bucketName: string, region: string): string {
  const problem = archiveBucketNameProblem(accountId, bucketName, region);
  if (problem) throw new ConfigError([{ key: "bucketName", message: problem }]);
  return `${accountId}-${bucketName}-${region}`;
}

// ---- CloudWatch Logs, email, KMS --------------------------------------------------------------

/**
 * CloudWatch Logs group names: 1 to 512 characters, each a letter, digit, `_`, `-`, `/`, `.` or `#`.
 * (RDS exports to `/aws/rds/instance/<id>/<log type>` and `/aws/rds/cluster/<id>/<log type>`.)
 */
export function logGroupNameProblem(name: string): string | undefined {
  if (name.length === 0) return "a log group name cannot be empty";
  if (name.length > 512) return `"${name.slice(0, 40)}..." is ${name.length} characters; CloudWatch allows 512`;
  const bad = name.match(/[^A-Za-z0-9_\-/.#]/);
  if (bad) {
    return `"${name}" is not a CloudWatch Logs group name: "${bad[0]}" is not allowed (letters, digits, _ - / . # only)`;
  }
  return undefined;
}

/** One address, no display name: what an SNS email subscription accepts. */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * A log group the subscription function itself writes to cannot be subscribed to it: every delivery would
 * log, and every log line would be delivered again. Checked once the function's name is known.
 */
export function checkSubscribedLogGroups(logGroups: string[], ownLogGroups: string[]): void {
  const loops = logGroups.filter((g) => ownLogGroups.includes(g));
  if (loops.length > 0) {
    throw new ConfigError(
      loops.map((g) => ({ key: "logGroups", message: `"${g}" is the log group of this stack's subscription function: subscribing it would loop` })),
    );
  }
}

/** Why `address` is not an email address an SNS subscription accepts, or undefined. */
export function emailProblem(address: string): string | undefined {
  return EMAIL.test(address) ? undefined : `"${address}" is not an email address`;
}

/** Why `arn` is not a KMS key ARN, or undefined. */
export function kmsKeyArnProblem(arn: string): string | undefined {
  if (KMS_KEY_ARN.test(arn)) return undefined;
  return `expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>), got "${arn}"`;
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** The region part of a KMS key ARN. */
export function kmsKeyRegion(arn: string): string {
  return arn.split(":")[3];
}

// ---- function names ---------------------------------------------------------------------------

/**
 * Lambda function names: letters, digits, hyphens and underscores, at most 64 characters.
 * `suffix` names the stack's other functions: `<project>-<stack>-<suffix>`.
 */
export function functionNameFor(project: string, stack: string, suffix = ""): string {
  const name = `${project}-${stack}${suffix ? `-${suffix}` : ""}`.replace(/[^A-Za-z0-9_-]/g, "-");
  if (name.length > 64) {
    throw new pulumi.RunError(`the function name "${name}" is longer than 64 characters: use a shorter stack name`);
  }
  return name;
}

/** Glue database names hold lower-case letters, digits and underscores only: `<project>-<stack>` becomes `<project>_<stack>`. */
export function glueDatabaseName(namePrefix: string): string {
  return namePrefix.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}
