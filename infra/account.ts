/**
 * The account and region the stack deploys into.
 *
 * getCallerIdentity and getRegion are provider invokes: they run during `pulumi preview` too, so
 * checks made on their results (the full bucket name, the KMS key's region) fail the preview.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { archiveBucketName, ArchiverConfig, ConfigError, kmsKeyRegion } from "./config";

export interface AwsTarget {
  accountId: string;
  region: string;
  /** "aws", "aws-cn", "aws-us-gov", ...: the first field of every ARN. */
  partition: string;
}

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

/** The bucket name, after the checks that need the account and region. */
export function resolveBucketName(config: ArchiverConfig, target: AwsTarget): string {
  if (config.kmsKeyArn && kmsKeyRegion(config.kmsKeyArn) !== target.region) {
    throw new ConfigError([
      {
        key: "kmsKeyArn",
        message: `the key is in ${kmsKeyRegion(config.kmsKeyArn)}, but the bucket is in ${target.region}: S3 needs a key in the bucket's region`,
      },
    ]);
  }
  return archiveBucketName(target.accountId, config.bucketName, target.region);
}
