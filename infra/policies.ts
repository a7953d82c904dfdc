/**
 * IAM and bucket policy documents, built from plain strings so they can be tested without Pulumi.
 *
 * The sync function's policy grants named actions only, never a `*` action, and no statement's
 * resource is `*`. `assertNoWildcardActions` enforces the first rule on every document built here.
 * Each function reaches only the bucket prefixes archiver/layout/ownership.ts gives it.
 */
import { prefixGrants, type ArchivedIds, type PrefixAccess, type Writer } from "../archiver/layout/ownership";

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * The tag that admits a cluster member's logs: `rds-log-archiver:cluster = <cluster id>`.
 * RDS cannot tell IAM which cluster an instance belongs to, so members are matched by tag.
 */
export const MEMBER_TAG_KEY = "rds-log-archiver:cluster";
/** The tag Aurora Auto Scaling puts on every replica it creates: `cluster:<cluster id>`. */
export const AUTOSCALING_TAG_KEY = "application-autoscaling:resourceId";

export const LOG_FILE_ACTIONS = ["rds:DescribeDBLogFiles", "rds:DownloadCompleteDBLogFile"];

/** The object actions each kind of prefix grant allows, and the statement that carries them. */
export const PREFIX_ACCESS: Record<PrefixAccess, { sid: string; actions: string[] }> = {
  // Multipart uploads are PutObject calls; AbortMultipartUpload cleans up a failed one; DeleteObject removes a superseded key.
  archive: { sid: "ReadWriteArchiveObjects", actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"] },
  state: { sid: "ReadWriteStateObjects", actions: ["s3:GetObject", "s3:PutObject"] },
  put: { sid: "PutObjects", actions: ["s3:PutObject"] },
  // No DeleteObject: a digest is never removed, and the writer never overwrites one (a conditional create).
  once: { sid: "CreateAndReadDigests", actions: ["s3:GetObject", "s3:PutObject"] },
  read: { sid: "ReadObjects", actions: ["s3:GetObject"] },
};

/** One statement per kind of access, each listing `<bucket ARN>/<prefix>*` for the prefixes the writer owns. */
export function bucketObjectStatements(bucketArn: string, writer: Writer, ids: ArchivedIds): PolicyStatement[] {
  const grants = prefixGrants(writer, ids);
  return (Object.keys(PREFIX_ACCESS) as PrefixAccess[]).flatMap((access) => {
    const prefixes = grants.filter((g) => g.access === access).map((g) => g.prefix);
    if (prefixes.length === 0) return [];
    const { sid, actions } = PREFIX_ACCESS[access];
    return [{ Sid: sid, Effect: "Allow" as const, Action: actions, Resource: prefixes.map((prefix) => `${bucketArn}/${prefix}*`) }];
  });
}

export interface SyncPolicyInputs {
  partition: string;
  region: string;
  accountId: string;
  bucketArn: string;
  instances: string[];
  clusters: string[];
  /** The function's own log group, without a trailing `:*`. */
  logGroupArn: string;
  /** Empty when the bucket uses SSE-S3. */
  kmsKeyArn: string;
}

export function rdsArn(t: Pick<SyncPolicyInputs, "partition" | "region" | "accountId">, kind: "db" | "cluster", id: string): string {
  return `arn:${t.partition}:rds:${t.region}:${t.accountId}:${kind}:${id}`;
}

/** The inline policy of the sync function's role. */
export function syncFunctionPolicy(p: SyncPolicyInputs): PolicyDocument {
  const statements: PolicyStatement[] = [
    // HeadBucket needs ListBucket, and without it S3 answers a missing state object with 403 instead of 404.
    // ListBucketMultipartUploads finds the uploads a hard-killed run left open, to abort them (s3/stale-uploads.ts).
    { Sid: "ListArchiveBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: [p.bucketArn] },
    ...bucketObjectStatements(p.bucketArn, "sync", p),
  ];
  statements.push(...rdsLogStatements(p, LOG_FILE_ACTIONS));
  statements.push({
    Sid: "WriteOwnLogGroup",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [`${p.logGroupArn}:*`],
  });
  if (p.kmsKeyArn) {
    statements.push({
      Sid: "UseArchiveKey",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: [p.kmsKeyArn],
    });
  }
  return assertNoWildcardActions({ Version: "2012-10-17", Statement: statements });
}

/**
 * Reading the archived ids' log files (`actions`: listing, and downloading when the function needs to): the
 * instances by ARN, the clusters' members by tag, as RDS cannot tell IAM which cluster an instance is in.
 */
export function rdsLogStatements(p: Pick<SyncPolicyInputs, "partition" | "region" | "accountId" | "instances" | "clusters">, actions: string[]): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (p.instances.length > 0) {
    statements.push({
      Sid: "ReadInstanceLogs",
      Effect: "Allow",
      Action: actions,
      Resource: p.instances.map((id) => rdsArn(p, "db", id)),
    });
  }
  if (p.clusters.length > 0) {
    const anyInstance = rdsArn(p, "db", "*");
    statements.push(
      {
        Sid: "ResolveClusterMembers",
        Effect: "Allow",
        Action: ["rds:DescribeDBClusters"],
        Resource: p.clusters.map((id) => rdsArn(p, "cluster", id)),
      },
      {
        Sid: "ReadTaggedClusterMemberLogs",
        Effect: "Allow",
        Action: actions,
        Resource: [anyInstance],
        Condition: { StringEquals: { [`aws:ResourceTag/${MEMBER_TAG_KEY}`]: p.clusters } },
      },
      {
        Sid: "ReadAutoScaledReplicaLogs",
        Effect: "Allow",
        Action: actions,
        Resource: [anyInstance],
        Condition: { StringEquals: { [`aws:ResourceTag/${AUTOSCALING_TAG_KEY}`]: p.clusters.map((id) => `cluster:${id}`) } },
      },
    );
  }
  return statements;
}

export interface VerifyPolicyInputs extends Omit<SyncPolicyInputs, "kmsKeyArn"> {
  kmsKeyArn: string;
}

/**
 * The inline policy of the scheduled verify function's role: list the bucket, read the archived ids' objects,
 * digests and gap ledger, put its own reports, list the ids' log files (it does not download them: the scheduled
 * run is not --deep), and log to its own group. It writes nothing else and deletes nothing.
 */
export function verifyFunctionPolicy(p: VerifyPolicyInputs): PolicyDocument {
  const statements: PolicyStatement[] = [
    { Sid: "ListArchiveBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [p.bucketArn] },
    ...bucketObjectStatements(p.bucketArn, "verify", p),
    ...rdsLogStatements(p, ["rds:DescribeDBLogFiles"]),
    { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${p.logGroupArn}:*`] },
  ];
  if (p.kmsKeyArn) statements.push({ Sid: "UseArchiveKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [p.kmsKeyArn] });
  return assertNoWildcardActions({ Version: "2012-10-17", Statement: statements });
}

export interface EventFunctionPolicyInputs {
  bucketArn: string;
  /** The function's own log group, without a trailing `:*`. */
  logGroupArn: string;
  /** The function's dead-letter queue (Lambda sends failed asynchronous invocations there). */
  deadLetterQueueArn: string;
  /** Empty when the bucket uses SSE-S3. */
  kmsKeyArn: string;
}

/**
 * The statements both event functions share: write their prefixes (their own, and `_rejected/`) with single PUTs,
 * log to their own group, dead-letter failed invocations, and encrypt with the bucket's key. They never read, list
 * or delete. With SSE-KMS a single-part PutObject needs only kms:GenerateDataKey (Decrypt is for multipart uploads).
 */
function eventFunctionStatements(p: EventFunctionPolicyInputs, writer: Writer, middle: PolicyStatement[]): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    ...bucketObjectStatements(p.bucketArn, writer, { instances: [], clusters: [] }),
    ...middle,
    { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${p.logGroupArn}:*`] },
    { Sid: "SendFailedInvocations", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [p.deadLetterQueueArn] },
  ];
  if (p.kmsKeyArn) statements.push({ Sid: "UseArchiveKey", Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: [p.kmsKeyArn] });
  return statements;
}

export interface RdsEventsPolicyInputs extends EventFunctionPolicyInputs {
  partition: string;
  region: string;
  accountId: string;
  /** Cluster members are resolved with DescribeDBClusters; nothing else is read from RDS. */
  clusters: string[];
}

/** The inline policy of the RDS events function's role. */
export function rdsEventsFunctionPolicy(p: RdsEventsPolicyInputs): PolicyDocument {
  const resolve: PolicyStatement[] =
    p.clusters.length > 0
      ? [{ Sid: "ResolveClusterMembers", Effect: "Allow", Action: ["rds:DescribeDBClusters"], Resource: p.clusters.map((id) => rdsArn(p, "cluster", id)) }]
      : [];
  return assertNoWildcardActions({ Version: "2012-10-17", Statement: eventFunctionStatements(p, "events", resolve) });
}

/** The inline policy of the CloudWatch Logs subscription function's role. */
export function logSubscriptionFunctionPolicy(p: EventFunctionPolicyInputs): PolicyDocument {
  return assertNoWildcardActions({ Version: "2012-10-17", Statement: eventFunctionStatements(p, "logs", []) });
}

/**
 * The queue policy of the events dead-letter queue: EventBridge may send the events it could not deliver, for this
 * rule only. (Lambda's own failed invocations arrive through the function's role, not through this policy.)
 * Requests without TLS are denied, as on the bucket.
 */
export function eventsDeadLetterQueuePolicy(queueArn: string, ruleArn: string): PolicyDocument {
  return assertNoWildcardActions({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EventBridgeDeadLetters",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["sqs:SendMessage"],
        Resource: [queueArn],
        Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
      },
      denyInsecureQueueTransport(queueArn),
    ],
  });
}

/** A queue policy that only denies requests made without TLS. */
export function deadLetterQueuePolicy(queueArn: string): PolicyDocument {
  return { Version: "2012-10-17", Statement: [denyInsecureQueueTransport(queueArn)] };
}

function denyInsecureQueueTransport(queueArn: string): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: ["sqs:*"],
    Resource: [queueArn],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** Lets the Lambda service assume the function's role. */
export function lambdaAssumeRolePolicy(): PolicyDocument {
  return assertNoWildcardActions({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["sts:AssumeRole"] }],
  });
}

/** The bucket policy: every request that does not use TLS is denied, whoever makes it. */
export function denyInsecureTransportPolicy(bucketArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Every action an Allow statement grants through a wildcard (or through NotAction, which is one). */
export function wildcardGrants(doc: PolicyDocument): string[] {
  const found: string[] = [];
  for (const s of doc.Statement) {
    if (s.Effect !== "Allow") continue;
    for (const action of list(s.Action)) if (action.includes("*")) found.push(`${s.Sid ?? "(no Sid)"}: ${action}`);
    for (const action of list(s.NotAction)) found.push(`${s.Sid ?? "(no Sid)"}: NotAction ${action}`);
  }
  return found;
}

export function assertNoWildcardActions(doc: PolicyDocument): PolicyDocument {
  const found = wildcardGrants(doc);
  if (found.length > 0) throw new Error(`policy grants wildcard actions: ${found.join(", ")}`);
  return doc;
}
