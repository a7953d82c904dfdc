/**
 * The archive bucket and the resources that harden it. Each hardening setting is its own
 * @pulumi/aws v7 resource attached to this bucket (no inline bucket arguments, no V2 resources).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { QUERY_RESULTS_PREFIX } from "../archiver/layout/prefixes";
import type { ObjectLockMode, StorageClass } from "./config";
import { denyInsecureTransportPolicy } from "./policies";

export interface ArchiveBucketArgs {
  /** The full bucket name. */
  bucketName: pulumi.Input<string>;
  /** Empty: SSE-S3 (AES256). Otherwise SSE-KMS with this key and an S3 Bucket Key. */
  kmsKeyArn: string;
  versioning: boolean;
  lifecycle: ArchiveLifecycle;
  /** S3 Object Lock with a default retention for every new object version; turns versioning on. */
  objectLock?: { mode: ObjectLockMode; retentionDays: number };
}

/** Days Athena's query results are kept under QUERY_RESULTS_PREFIX. */
export const QUERY_RESULTS_EXPIRATION_DAYS = 7;

export interface ArchiveLifecycle {
  /**
   * The key prefixes transition and expiry apply to: one `<instance or cluster id>/` per configured id.
   * The engine's state objects under `_state/` are never transitioned or expired.
   */
  archivePrefixes: string[];
  /** 0: no transition. */
  transitionDays: number;
  storageClass: StorageClass;
  /** 0: no expiry. */
  expirationDays: number;
  /** With versioning: how long a replaced or deleted version is kept. */
  noncurrentVersionExpirationDays: number;
  versioning: boolean;
  /** Expire Athena's query results (when the stack deploys the workgroup). */
  queryResults?: boolean;
}

export class ArchiveBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  readonly ownershipControls: aws.s3.BucketOwnershipControls;
  readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
  readonly versioning: aws.s3.BucketVersioning;
  readonly policy: aws.s3.BucketPolicy;
  readonly lifecycle: aws.s3.BucketLifecycleConfiguration;
  readonly objectLock?: aws.s3.BucketObjectLockConfiguration;

  constructor(name: string, args: ArchiveBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:ArchiveBucket", name, {}, opts);
    const parent = { parent: this };

    // forceDestroy stays false: `pulumi destroy` cannot delete archived logs.
    this.bucket = new aws.s3.Bucket(name, { bucket: args.bucketName, forceDestroy: false }, parent);
    const bucket = this.bucket.bucket;

    this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(name, {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }, parent);

    this.ownershipControls = new aws.s3.BucketOwnershipControls(name, {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    }, parent);

    this.encryption = new aws.s3.BucketServerSideEncryptionConfiguration(name, {
      bucket,
      rules: [args.kmsKeyArn
        ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }
        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    }, parent);

    // "Suspended" rather than "Disabled": S3 cannot return a bucket to the never-versioned state,
    // so only Enabled <-> Suspended can be switched back and forth.
    this.versioning = new aws.s3.BucketVersioning(name, {
      bucket,
      versioningConfiguration: { status: args.versioning || args.objectLock ? "Enabled" : "Suspended" },
    }, parent);

    // On the existing bucket, once versioning is on: S3 allows turning Object Lock on later, never off.
    if (args.objectLock) {
      this.objectLock = new aws.s3.BucketObjectLockConfiguration(name, {
        bucket,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.retentionDays } },
      }, { parent: this, dependsOn: [this.versioning] });
    }

    // After the public access block, so S3 never evaluates the two concurrently.
    this.policy = new aws.s3.BucketPolicy(name, {
      bucket,
      policy: this.bucket.arn.apply((arn) => JSON.stringify(denyInsecureTransportPolicy(arn))),
    }, { parent: this, dependsOn: [this.publicAccessBlock] });

    this.lifecycle = new aws.s3.BucketLifecycleConfiguration(name, {
      bucket,
      rules: lifecycleRules(args.lifecycle),
    }, { parent: this, dependsOn: [this.versioning] });

    this.registerOutputs({ bucketName: this.bucket.bucket, bucketArn: this.bucket.arn });
  }
}

type LifecycleRule = aws.types.input.s3.BucketLifecycleConfigurationRule;

/**
 * Bucket-wide: abort incomplete multipart uploads after 1 day (and expire old versions when versioned).
 * Per archived id: the transition and expiry, scoped to `<id>/` so `_state/` stays in S3 Standard forever.
 */
export function lifecycleRules(l: ArchiveLifecycle): LifecycleRule[] {
  const rules: LifecycleRule[] = [
    { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
  ];
  if (l.versioning) {
    rules.push({
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: l.noncurrentVersionExpirationDays },
      expiration: { expiredObjectDeleteMarker: true },
    });
  }
  if (l.queryResults) {
    rules.push({ id: "expire-query-results", status: "Enabled", filter: { prefix: QUERY_RESULTS_PREFIX }, expiration: { days: QUERY_RESULTS_EXPIRATION_DAYS } });
  }
  if (l.transitionDays > 0 || l.expirationDays > 0) {
    for (const prefix of l.archivePrefixes) {
      rules.push({
        id: `archive-${prefix.replace(/\/$/, "")}`,
        status: "Enabled",
        filter: { prefix },
        ...(l.transitionDays > 0 ? { transitions: [{ days: l.transitionDays, storageClass: l.storageClass }] } : {}),
        ...(l.expirationDays > 0 ? { expiration: { days: l.expirationDays } } : {}),
      });
    }
  }
  return rules;
}
