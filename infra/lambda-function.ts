/**
 * The building block of every function of the stack: its log group, its role and inline policy, and the
 * CallbackFunction, with the runtime, architecture and logging settings they all share. Not a component of its
 * own: the resources are created under the caller's component, so their names and URNs are those of the caller.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lambdaAssumeRolePolicy, type PolicyDocument } from "./policies";

export interface LambdaFunctionArgs {
  /** The Lambda function's name, also its role's; its log group is `/aws/lambda/<functionName>`. */
  functionName: string;
  description: string;
  roleDescription: string;
  /** The role's inline policy, given the function's log group ARN. */
  policy: (logGroupArn: string) => pulumi.Input<PolicyDocument>;
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** A module-level factory that requires the SDK itself and returns the handler (see infra/sync-function.ts). */
  callbackFactory: () => (event: any, context: any) => Promise<unknown>;
  memorySize: number;
  timeout: number;
  logRetentionDays: number;
  reservedConcurrentExecutions?: number;
  /** Runtime packages the handler never requires, left out of its zip (with what only they depend on). */
  excludePackages?: string[];
}

export interface LambdaFunction {
  logGroup: aws.cloudwatch.LogGroup;
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
  fn: aws.lambda.CallbackFunction<unknown, unknown>;
}

export function createLambdaFunction(name: string, args: LambdaFunctionArgs, parent: pulumi.Resource): LambdaFunction {
  // Created before the function, so Lambda never creates it (without retention) on first run.
  // The name is fixed by the function name, so role policy, log group and function form no cycle.
  const logGroup = new aws.cloudwatch.LogGroup(name, {
    name: `/aws/lambda/${args.functionName}`,
    retentionInDays: args.logRetentionDays,
  }, { parent });

  // Named after the function, like every named resource of the stack: the CI deploy role is scoped by that prefix.
  const role = new aws.iam.Role(name, {
    name: args.functionName,
    description: args.roleDescription,
    assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()),
  }, { parent });

  const policyOf = args.policy;
  const policy = new aws.iam.RolePolicy(name, {
    role: role.id,
    policy: logGroup.arn.apply((arn) => pulumi.output(policyOf(arn))).apply((doc) => JSON.stringify(doc)),
  }, { parent });

  const fn = new aws.lambda.CallbackFunction(name, {
    name: args.functionName,
    description: args.description,
    runtime: aws.lambda.Runtime.NodeJS22dX,
    architectures: ["arm64"],
    role,
    memorySize: args.memorySize,
    timeout: args.timeout,
    ...(args.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: args.reservedConcurrentExecutions } : {}),
    environment: { variables: args.environment },
    // JSON: Lambda's own records are JSON too, and the application log level reaches the code as
    // AWS_LAMBDA_LOG_LEVEL (archiver/lambda/logger.ts); docs/deploying.md says why the lines go to stdout.
    loggingConfig: { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO", logGroup: logGroup.name },
    callbackFactory: args.callbackFactory,
    ...(args.excludePackages?.length ? { codePathOptions: { extraExcludePackages: args.excludePackages } } : {}),
  }, { parent, dependsOn: [policy, logGroup] });

  return { logGroup, role, policy, fn };
}
