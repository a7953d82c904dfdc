/**
 * The account and region the stack deploys into, and the checks that need them.
 *
 * getCallerIdentity and getRegion are provider invokes: the program awaits them before it registers any
 * resource, so a check made on their results stops `pulumi preview` and `pulumi up --skip-preview` alike
 * with nothing created.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { archiveBucketNameProblem, ArchiverConfig, ConfigError, ConfigProblem, configReader, kmsKeyRegion, type KeyName } from "./config";

export interface AwsTarget {
  accountId: string;
  region: string;
  /** "aws", "aws-cn", "aws-us-gov", ...: the first field of every ARN. */
  partition: string;
}

/**
 * The stack setting that pins the accounts a stack may deploy into. The AWS provider enforces it too; the
 * program requires it, so a stack file without it, or credentials for another account, fail before anything
 * is planned instead of building a second copy of the stack in the wrong account.
 */
export const ALLOWED_ACCOUNT_IDS_KEY = "aws:allowedAccountIds";

/** The ARN partition of a region, from its name. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-isof-")) return "aws-iso-f";
  if (region.startsWith("eu-isoe-")) return "aws-iso-e";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("eusc-")) return "aws-eusc";
  return "aws";
}

export async function lookupTarget(): Promise<AwsTarget> {
  const [identity, current] = await Promise.all([aws.getCallerIdentity({}), aws.getRegion({})]);
  // `region` is the v7 attribute; `name` and `id` are its deprecated spellings.
  const region = current.region ?? current.name ?? current.id;
  const accountId = identity.accountId ?? identity.id;
  if (!region || !accountId) throw new pulumi.RunError("could not determine the AWS account id and region: check aws:region and the credentials");
  return { accountId, region, partition: partitionOf(region) };
}

/** Reads aws:allowedAccountIds as the CLI hands it over (a JSON list, or a comma-separated string). */
export function loadAllowedAccountIds(): string | undefined {
  return new pulumi.Config("aws").get("allowedAccountIds");
}

/** Problems with aws:allowedAccountIds: it must be set, hold 12-digit ids, and include the credentials' account. */
export function allowedAccountProblems(raw: string | undefined, accountId: string): ConfigProblem[] {
  const r = configReader(() => raw);
  const { problems, report } = r;
  const ids = r.list(ALLOWED_ACCOUNT_IDS_KEY);
  if (problems.length > 0) return problems;
  if (ids.length === 0) {
    report(
      ALLOWED_ACCOUNT_IDS_KEY,
      `required: list the AWS account this stack deploys into, as quoted strings (the credentials in use belong to ${accountId}); ` +
        `for example: pulumi config set --path 'aws:allowedAccountIds[0]' '"${accountId}"'`,
    );
    return problems;
  }
  const malformed = ids.filter((id) => !/^\d{12}$/.test(id));
  for (const id of malformed) report(ALLOWED_ACCOUNT_IDS_KEY, `"${id}" is not a 12-digit AWS account id`);
  if (malformed.length === 0 && !ids.includes(accountId)) {
    report(
      ALLOWED_ACCOUNT_IDS_KEY,
      `the credentials in use belong to account ${accountId}, but this stack deploys only into ${ids.join(", ")}: ` +
        "use that account's credentials (or fix the stack file)",
    );
  }
  return problems;
}

/**
 * Every check that needs the account and region (the account pin, the KMS key's region, the full bucket name's
 * length), all reported at once. Returns the bucket's full name.
 */
export function checkTarget(config: ArchiverConfig, target: AwsTarget, allowedAccountIds: string | undefined, keyName?: KeyName): string {
  const problems = allowedAccountProblems(allowedAccountIds, target.accountId);
  if (config.kmsKeyArn && kmsKeyRegion(config.kmsKeyArn) !== target.region) {
    problems.push({
      key: "kmsKeyArn",
      message: `the key is in ${kmsKeyRegion(config.kmsKeyArn)}, but the bucket is in ${target.region}: S3 needs a key in the bucket's region`,
    });
  }
  const bucketProblem = archiveBucketNameProblem(target.accountId, config.bucketName, target.region);
  if (bucketProblem) problems.push({ key: "bucketName", message: bucketProblem });
  if (problems.length > 0) throw new ConfigError(problems, keyName);
  return `${target.accountId}-${config.bucketName}-${target.region}`;
}
