// Pulumi mocks for loading the program without the CLI or an AWS account. Every registered
// resource is recorded with its inputs; the state echoes the inputs plus the `arn`/`name`/`id`
// attributes the program reads back (without them `apply` would never resolve).
import * as pulumi from "@pulumi/pulumi";

export const ACCOUNT_ID = "123456789012";
export const DEFAULT_REGION = "eu-west-1";

export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  /** The URNs the resource was registered as depending on (with recordDependencies). */
  dependencies?: string[];
  /** Its aliases' parents and names (with recordDependencies): `{ parentUrn }`, `{ noParent: true }`, a URN. */
  aliases?: unknown[];
}

export function createMocks(registry: RegisteredResource[], region = DEFAULT_REGION): pulumi.runtime.Mocks {
  return {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      registry.push({ type: args.type, name: args.name, inputs: args.inputs });
      const { id, state } = mockState(args, region);
      return { id, state: { ...args.inputs, ...state } };
    },
    call(args: pulumi.runtime.MockCallArgs) {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: ACCOUNT_ID, id: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci`, userId: "AIDACI" };
        case "aws:index/getRegion:getRegion":
          return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
        default:
          throw new Error(`unexpected invoke ${args.token}: add it to test/program/mocks.ts`);
      }
    },
  };
}

function mockState(args: pulumi.runtime.MockResourceArgs, region: string): { id: string; state: Record<string, unknown> } {
  const inputs = args.inputs;
  const name = inputs.name ?? args.name;
  switch (args.type) {
    case "aws:s3/bucket:Bucket":
      return { id: inputs.bucket, state: { arn: `arn:aws:s3:::${inputs.bucket}` } };
    case "aws:lambda/function:Function":
      return { id: name, state: { name, arn: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name}` } };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: name, state: { name, arn: `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${name}` } };
    case "aws:iam/role:Role":
      return { id: `${args.name}-role`, state: { name: `${args.name}-role`, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${args.name}-role` } };
    case "aws:cloudwatch/eventRule:EventRule":
      return { id: `${args.name}-rule`, state: { name: `${args.name}-rule`, arn: `arn:aws:events:${region}:${ACCOUNT_ID}:rule/${args.name}-rule` } };
    case "aws:sqs/queue:Queue":
      return {
        id: `https://sqs.${region}.amazonaws.com/${ACCOUNT_ID}/${name}`,
        state: { name, arn: `arn:aws:sqs:${region}:${ACCOUNT_ID}:${name}`, url: `https://sqs.${region}.amazonaws.com/${ACCOUNT_ID}/${name}` },
      };
    case "aws:sns/topic:Topic":
      return { id: `arn:aws:sns:${region}:${ACCOUNT_ID}:${name}`, state: { name, arn: `arn:aws:sns:${region}:${ACCOUNT_ID}:${name}` } };
    default:
      return { id: `${args.name}-id`, state: { arn: `arn:aws:mock:${region}:${ACCOUNT_ID}:${args.type}/${args.name}` } };
  }
}

/** Resolves an Output (test code only: reads Pulumi's internal promise, so rejections surface). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as any).promise() as Promise<T>;
}

/**
 * Resolves once every resource the program started to register has been registered. Outputs can resolve before
 * resources that no output depends on (a target, a permission, an alarm), and a function registers only once its
 * closure is serialized, so waiting for the outputs alone races with them on a busy machine. Uses the runtime's
 * own RPC queue (internal in @pulumi/pulumi 3.x, not in its typings).
 */
export function allRegistered(): Promise<void> {
  const settings: { waitForRPCs?: () => Promise<void> } = require("@pulumi/pulumi/runtime/settings");
  if (typeof settings.waitForRPCs !== "function") throw new Error("@pulumi/pulumi/runtime/settings has no waitForRPCs: update test/program/mocks.ts");
  return settings.waitForRPCs();
}

/**
 * Adds each resource's dependencies (explicit `dependsOn` and those carried by its inputs) to its registry entry.
 * The mocks API does not pass them to newResource, so this wraps the mock monitor's registerResource (internal to
 * @pulumi/pulumi 3.x, like waitForRPCs). Call right after setMocks.
 */
export function recordDependencies(registry: RegisteredResource[]): void {
  const monitor = pulumi.runtime.getMonitor() as any;
  if (typeof monitor?.registerResource !== "function") throw new Error("no mock monitor to wrap: update test/program/mocks.ts");
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, res: unknown) => void) =>
    register(req, (err: unknown, res: unknown) => {
      const entry = registry.find((r) => r.type === req.getType() && r.name === req.getName() && r.dependencies === undefined);
      if (entry) {
        entry.dependencies = req.getDependenciesList();
        entry.aliases = (req.getAliasesList?.() ?? []).map((a: any) => {
          const spec = a.hasSpec?.() ? a.getSpec() : undefined;
          if (!spec) return a.getUrn();
          return spec.getNoparent() ? { noParent: true } : { parentUrn: spec.getParenturn(), ...(spec.getName() ? { name: spec.getName() } : {}) };
        });
      }
      callback(err, res);
    });
}
