/**
 * IAM and bucket policy documents, built from plain strings so they can be tested without Pulumi.
 *
 * The sync function's policy grants named actions only, never a `*` action, and no statement's
 * resource is `*`. `assertNoWildcardActions` enforces the first rule on every document built here.
 */

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
export const OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"];

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
    { Sid: "ListArchiveBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [p.bucketArn] },
    { Sid: "ReadWriteArchiveObjects", Effect: "Allow", Action: OBJECT_ACTIONS, Resource: [`${p.bucketArn}/*`] },
  ];
  if (p.instances.length > 0) {
    statements.push({
      Sid: "ReadInstanceLogs",
      Effect: "Allow",
      Action: LOG_FILE_ACTIONS,
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
        Action: LOG_FILE_ACTIONS,
        Resource: [anyInstance],
        Condition: { StringEquals: { [`aws:ResourceTag/${MEMBER_TAG_KEY}`]: p.clusters } },
      },
      {
        Sid: "ReadAutoScaledReplicaLogs",
        Effect: "Allow",
        Action: LOG_FILE_ACTIONS,
        Resource: [anyInstance],
        Condition: { StringEquals: { [`aws:ResourceTag/${AUTOSCALING_TAG_KEY}`]: p.clusters.map((id) => `cluster:${id}`) } },
      },
    );
  }
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
