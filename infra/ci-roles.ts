/**
 * The IAM roles GitHub Actions assumes for one stack: a preview role for pull requests and a deploy role for
 * pushes to main. Pure: the documents are printed by `npm run ci-roles` (bootstrap/ci-roles.ts) for
 * `aws iam create-role` and `put-role-policy`, and tested like the functions' policies.
 *
 * Both are built from one table of the resource types the stack creates, each with the actions Pulumi's AWS
 * provider calls to read it (refresh, and reading back after a change) and to create, update and delete it.
 * The preview role gets the read actions only. None of them reads an archived object, a dead letter or a log
 * event, and neither role has any RDS permission: pull-request code runs with the preview role, and cannot
 * reach the logs through it.
 */
import type { PolicyDocument, PolicyStatement } from "./policies";
import { glueDatabaseName } from "./config/names";
import { assertNoWildcardActions } from "./policies";

/** What a stack's CI roles are scoped to. */
export interface CiStack {
  /** `owner/name` of the GitHub repository. */
  repository: string;
  /** The Pulumi project, the first part of every resource name: `<project>-<stack>...`. */
  project: string;
  stack: string;
  accountId: string;
  region: string;
  partition: string;
  /** The archive bucket's full name, `<accountId>-<bucketName>-<region>`. */
  bucketName: string;
  /** The log groups the stack subscribes (rds-log-archiver:logGroups). */
  logGroups: string[];
  /** The S3 bucket of a self-managed Pulumi backend; empty with Pulumi Cloud. */
  stateBucket: string;
  /** rds-log-archiver:fanOut: the stack has an event source mapping (infra/fan-out.ts). */
  fanOut?: boolean;
}

/** The groups of resources a statement names. */
type Scope =
  | "bucket" | "roles" | "functions" | "logGroups" | "anyLogGroup" | "subscribedLogGroups" | "rules" | "queues" | "topics" | "alarms"
  | "dashboards" | "glueCatalog" | "workgroups";

interface ManagedType {
  scope: Scope;
  read: string[];
  write: string[];
}

/**
 * Every resource type the program registers (test/layout/ci-roles.test.ts checks the list against a program load),
 * and the actions on it. The bucket cannot be deleted by CI: forceDestroy is off, and archived logs outlive the stack.
 */
export const MANAGED_TYPES: Record<string, ManagedType> = {
  "aws:s3/bucket:Bucket": {
    scope: "bucket",
    // HeadBucket (s3:ListBucket), then every bucket setting the provider reads back.
    read: [
      "s3:ListBucket",
      "s3:GetBucketLocation",
      "s3:GetBucketTagging",
      "s3:GetBucketAcl",
      "s3:GetBucketCORS",
      "s3:GetBucketWebsite",
      "s3:GetBucketLogging",
      "s3:GetBucketRequestPayment",
      "s3:GetAccelerateConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:GetBucketObjectLockConfiguration",
    ],
    write: ["s3:CreateBucket", "s3:PutBucketTagging"],
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { scope: "bucket", read: ["s3:GetBucketPublicAccessBlock"], write: ["s3:PutBucketPublicAccessBlock"] },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { scope: "bucket", read: ["s3:GetBucketOwnershipControls"], write: ["s3:PutBucketOwnershipControls"] },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    scope: "bucket",
    read: ["s3:GetEncryptionConfiguration"],
    write: ["s3:PutEncryptionConfiguration"],
  },
  "aws:s3/bucketVersioning:BucketVersioning": { scope: "bucket", read: ["s3:GetBucketVersioning"], write: ["s3:PutBucketVersioning"] },
  "aws:s3/bucketPolicy:BucketPolicy": { scope: "bucket", read: ["s3:GetBucketPolicy"], write: ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"] },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    scope: "bucket",
    read: ["s3:GetLifecycleConfiguration"],
    write: ["s3:PutLifecycleConfiguration"],
  },
  "aws:iam/role:Role": {
    scope: "roles",
    read: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
    write: [
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
      "iam:UpdateAssumeRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:ListInstanceProfilesForRole",
    ],
  },
  "aws:iam/rolePolicy:RolePolicy": { scope: "roles", read: ["iam:GetRolePolicy"], write: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"] },
  "aws:cloudwatch/logGroup:LogGroup": {
    scope: "logGroups",
    read: ["logs:ListTagsForResource"],
    write: ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource"],
  },
  "aws:lambda/function:Function": {
    scope: "functions",
    read: ["lambda:GetFunction", "lambda:ListVersionsByFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:ListTags"],
    write: [
      "lambda:CreateFunction",
      "lambda:DeleteFunction",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:PutFunctionConcurrency",
      "lambda:DeleteFunctionConcurrency",
      "lambda:TagResource",
      "lambda:UntagResource",
    ],
  },
  "aws:lambda/permission:Permission": { scope: "functions", read: ["lambda:GetPolicy"], write: ["lambda:AddPermission", "lambda:RemovePermission"] },
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {
    scope: "functions",
    read: ["lambda:GetFunctionEventInvokeConfig"],
    write: ["lambda:PutFunctionEventInvokeConfig", "lambda:UpdateFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig"],
  },
  "aws:cloudwatch/eventRule:EventRule": {
    scope: "rules",
    read: ["events:DescribeRule", "events:ListTagsForResource"],
    write: ["events:PutRule", "events:DeleteRule", "events:TagResource", "events:UntagResource"],
  },
  "aws:cloudwatch/eventTarget:EventTarget": { scope: "rules", read: ["events:ListTargetsByRule"], write: ["events:PutTargets", "events:RemoveTargets"] },
  "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": {
    scope: "subscribedLogGroups",
    read: ["logs:DescribeSubscriptionFilters"],
    write: ["logs:PutSubscriptionFilter", "logs:DeleteSubscriptionFilter"],
  },
  "aws:sqs/queue:Queue": {
    scope: "queues",
    read: ["sqs:GetQueueAttributes", "sqs:ListQueueTags"],
    write: ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"],
  },
  "aws:sqs/queuePolicy:QueuePolicy": { scope: "queues", read: ["sqs:GetQueueAttributes"], write: ["sqs:SetQueueAttributes"] },
  "aws:sns/topic:Topic": {
    scope: "topics",
    read: ["sns:GetTopicAttributes", "sns:ListTagsForResource"],
    write: ["sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"],
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    scope: "topics",
    read: ["sns:GetSubscriptionAttributes"],
    write: ["sns:Subscribe", "sns:Unsubscribe", "sns:SetSubscriptionAttributes"],
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    scope: "alarms",
    read: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
    write: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"],
  },
  "aws:cloudwatch/dashboard:Dashboard": { scope: "dashboards", read: ["cloudwatch:GetDashboard"], write: ["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"] },
  // Object Lock (objectLockMode): turned on once, never off; removing it from the stack leaves the bucket's setting.
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": {
    scope: "bucket",
    read: ["s3:GetBucketObjectLockConfiguration"],
    write: ["s3:PutBucketObjectLockConfiguration"],
  },
  // Athena (athena: true). Glue names cannot hold `-`: the database is `<project>_<stack>` (infra/athena.ts).
  "aws:glue/catalogDatabase:CatalogDatabase": {
    scope: "glueCatalog",
    read: ["glue:GetDatabase"],
    write: ["glue:CreateDatabase", "glue:UpdateDatabase", "glue:DeleteDatabase"],
  },
  "aws:glue/catalogTable:CatalogTable": { scope: "glueCatalog", read: ["glue:GetTable"], write: ["glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable"] },
  "aws:athena/workgroup:Workgroup": {
    scope: "workgroups",
    read: ["athena:GetWorkGroup", "athena:ListTagsForResource"],
    write: ["athena:CreateWorkGroup", "athena:UpdateWorkGroup", "athena:DeleteWorkGroup"],
  },
  "aws:athena/namedQuery:NamedQuery": { scope: "workgroups", read: ["athena:GetNamedQuery"], write: ["athena:CreateNamedQuery", "athena:DeleteNamedQuery"] },
};

/** Read actions IAM only authorizes on every resource of their kind in the account and region. */
const ANY_LOG_GROUP_READ = ["logs:DescribeLogGroups"];

/** `<project>-<stack>` and `<project>-<stack>-*`: the stack's own names, and no other stack's (`live` never covers `live2`). */
function stackNames(s: CiStack, wrap: (name: string) => string): string[] {
  const base = `${s.project}-${s.stack}`;
  return [wrap(base), wrap(`${base}-*`)];
}

function resourcesOf(scope: Scope, s: CiStack): string[] {
  const regional = (service: string) => `arn:${s.partition}:${service}:${s.region}:${s.accountId}`;
  const logGroup = (name: string) => [`${regional("logs")}:log-group:${name}`, `${regional("logs")}:log-group:${name}:*`];
  switch (scope) {
    case "bucket":
      return [`arn:${s.partition}:s3:::${s.bucketName}`];
    case "roles":
      return stackNames(s, (n) => `arn:${s.partition}:iam::${s.accountId}:role/${n}`);
    case "functions":
      return stackNames(s, (n) => `${regional("lambda")}:function:${n}`);
    case "logGroups":
      return stackNames(s, (n) => `/aws/lambda/${n}`).flatMap(logGroup);
    case "anyLogGroup":
      return [`${regional("logs")}:log-group:*`];
    case "subscribedLogGroups":
      // Subscription filter actions are authorized on the `:*` form only (tagging actions on the bare one).
      return s.logGroups.map((name) => `${regional("logs")}:log-group:${name}:*`);
    case "rules":
      return stackNames(s, (n) => `${regional("events")}:rule/${n}`);
    case "queues":
      return stackNames(s, (n) => `${regional("sqs")}:${n}`);
    case "topics":
      return stackNames(s, (n) => `${regional("sns")}:${n}`);
    case "alarms":
      return stackNames(s, (n) => `${regional("cloudwatch")}:alarm:${n}`);
    case "dashboards":
      // One dashboard per stack, named `<project>-<stack>`; global, like IAM.
      return [`arn:${s.partition}:cloudwatch::${s.accountId}:dashboard/${s.project}-${s.stack}`];
    case "glueCatalog": {
      const database = glueDatabaseName(`${s.project}-${s.stack}`);
      return [`${regional("glue")}:catalog`, `${regional("glue")}:database/${database}`, `${regional("glue")}:table/${database}/*`];
    }
    case "workgroups":
      return [`${regional("athena")}:workgroup/${s.project}-${s.stack}`];
  }
}

const SCOPE_SIDS: Record<Scope, string> = {
  bucket: "ArchiveBucketSettings",
  roles: "FunctionRoles",
  functions: "Functions",
  logGroups: "FunctionLogGroups",
  anyLogGroup: "ListLogGroups",
  subscribedLogGroups: "SubscribedLogGroups",
  rules: "EventRules",
  queues: "DeadLetterQueues",
  topics: "AlarmTopic",
  alarms: "Alarms",
  dashboards: "Dashboard",
  glueCatalog: "AthenaTable",
  workgroups: "AthenaWorkgroup",
};

/** One statement per scope, with the actions of every type in it (read only, or read and write). */
function resourceStatements(s: CiStack, verb: "Read" | "Manage", withWrites: boolean): PolicyStatement[] {
  const byScope = new Map<Scope, Set<string>>();
  for (const type of Object.values(MANAGED_TYPES)) {
    const actions = byScope.get(type.scope) ?? new Set<string>();
    for (const action of [...type.read, ...(withWrites ? type.write : [])]) actions.add(action);
    byScope.set(type.scope, actions);
  }
  byScope.set("anyLogGroup", new Set(ANY_LOG_GROUP_READ));
  const statements: PolicyStatement[] = [];
  for (const [scope, actions] of byScope) {
    const resources = resourcesOf(scope, s);
    if (resources.length === 0) continue;
    const sid = scope === "anyLogGroup" ? SCOPE_SIDS[scope] : `${verb}${SCOPE_SIDS[scope]}`;
    statements.push({ Sid: sid, Effect: "Allow", Action: [...actions].sort(), Resource: resources });
  }
  return statements;
}

/**
 * The state of this stack in a self-managed backend (Pulumi's project-scoped layout under `.pulumi/`). Preview reads
 * it and may take the stack's lock; deploy also writes the checkpoint, its history and backups.
 */
function stateStatements(s: CiStack, deploy: boolean): PolicyStatement[] {
  if (!s.stateBucket) return [];
  const bucket = `arn:${s.partition}:s3:::${s.stateBucket}`;
  const stackPaths = (kind: string) => `${bucket}/.pulumi/${kind}/${s.project}/${s.stack}`;
  const lock = `${stackPaths("locks")}/*`;
  const written = deploy ? [`${stackPaths("stacks")}.json*`, `${stackPaths("history")}/*`, `${stackPaths("backups")}/*`, lock] : [lock];
  return [
    { Sid: "ListStateBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket] },
    { Sid: "ReadStackState", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucket}/.pulumi/meta.yaml`, `${stackPaths("stacks")}.json*`, lock] },
    { Sid: deploy ? "WriteStackState" : "TakeStackLock", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: written },
  ];
}

/** IAM's limit on the inline policies of one role, counted without white space. */
export const INLINE_POLICY_LIMIT = 10_240;

function assertFitsInline(doc: PolicyDocument, s: CiStack): PolicyDocument {
  const size = JSON.stringify(doc).length;
  if (size > INLINE_POLICY_LIMIT) {
    throw new Error(
      `the policy for stack ${s.stack} is ${size} characters, over IAM's ${INLINE_POLICY_LIMIT} for a role's inline policies: ` +
        `${s.logGroups.length} subscribed log groups add one ARN each; subscribe fewer, or split the stack`,
    );
  }
  return assertNoWildcardActions(doc);
}

/**
 * A fan-out stack's event source mapping. IAM cannot scope a mapping by name (its ARN ends in a UUID, and creating
 * one names no resource), only by the function it feeds (lambda:FunctionArn): the stack's own functions.
 */
function eventSourceMappingStatements(s: CiStack, withWrites: boolean): PolicyStatement[] {
  if (!s.fanOut) return [];
  const feeds = { StringLike: { "lambda:FunctionArn": resourcesOf("functions", s) } };
  const mappings = [`arn:${s.partition}:lambda:${s.region}:${s.accountId}:event-source-mapping:*`];
  const read = ["lambda:GetEventSourceMapping", "lambda:ListTags"];
  const write = ["lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:TagResource", "lambda:UntagResource"];
  return [
    { Sid: withWrites ? "ManageEventSourceMappings" : "ReadEventSourceMappings", Effect: "Allow", Action: withWrites ? [...read, ...write] : read, Resource: mappings, Condition: feeds },
    ...(withWrites ? [{ Sid: "CreateEventSourceMappings", Effect: "Allow" as const, Action: ["lambda:CreateEventSourceMapping"], Resource: ["*"], Condition: feeds }] : []),
  ];
}

/** The preview role's policy: read what `pulumi preview --refresh` reads, and nothing else. */
export function previewRolePolicy(s: CiStack): PolicyDocument {
  return assertFitsInline({
    Version: "2012-10-17",
    Statement: [...resourceStatements(s, "Read", false), ...eventSourceMappingStatements(s, false), ...stateStatements(s, false)],
  }, s);
}

/** The deploy role's policy: manage exactly the stack's resource types, under the stack's names. */
export function deployRolePolicy(s: CiStack): PolicyDocument {
  return assertFitsInline({
    Version: "2012-10-17",
    Statement: [
      ...resourceStatements(s, "Manage", true),
      ...eventSourceMappingStatements(s, true),
      {
        Sid: "PassFunctionRolesToLambda",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: resourcesOf("roles", s),
        Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
      },
      ...stateStatements(s, true),
    ],
  }, s);
}

/** GitHub's OIDC issuer, as IAM names its condition keys. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The GitHub environments the workflows run in: `<stack>-preview` for pull requests, `<stack>` for deploys. */
export function ciEnvironment(stack: string, role: "preview" | "deploy"): string {
  return role === "preview" ? `${stack}-preview` : stack;
}

/**
 * Who may assume a role: GitHub Actions jobs of this repository running in this stack's environment, and nothing
 * else (not another repository, not another stack's job, not a job outside an environment).
 */
export function ciTrustPolicy(s: Pick<CiStack, "repository" | "stack" | "accountId" | "partition">, role: "preview" | "deploy"): PolicyDocument {
  return assertNoWildcardActions({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActions",
        Effect: "Allow",
        Principal: { Federated: `arn:${s.partition}:iam::${s.accountId}:oidc-provider/${GITHUB_OIDC_HOST}` },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com",
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${s.repository}:environment:${ciEnvironment(s.stack, role)}`,
          },
        },
      },
    ],
  });
}

/**
 * The role names `npm run ci-roles` suggests: `github-<project>-<stack>-preview` and `-deploy`. Outside the stack's
 * `<project>-<stack>-*` names on purpose: the deploy role manages roles by that prefix and must not reach its own.
 */
export function ciRoleName(s: Pick<CiStack, "project" | "stack">, role: "preview" | "deploy"): string {
  return `github-${s.project}-${s.stack}-${role}`;
}
