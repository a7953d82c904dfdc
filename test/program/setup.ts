// Loads the program once, in this process, under mocks, with a config that turns every option on.
// Mocha shares one module cache across spec files, so every test/program spec imports this module
// instead of setting mocks itself. Other configs (stack files as written, bad values) load in child
// processes: see harness.ts.
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID, allRegistered, createMocks, DEFAULT_REGION, recordDependencies, RegisteredResource, valueOf } from "./mocks";

export const STACK = "live";
export const KMS_KEY_ARN = `arn:aws:kms:${DEFAULT_REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** Raw config as the CLI hands it over: lists as JSON, numbers and booleans as strings. */
export const CONFIG: Record<string, string> = {
  "aws:region": DEFAULT_REGION,
  "aws:allowedAccountIds": JSON.stringify([ACCOUNT_ID]),
  "rds-log-archiver:bucketName": "prod-rds-logs",
  "rds-log-archiver:instances": JSON.stringify(["prod-rds", "reporting-rds"]),
  "rds-log-archiver:clusters": JSON.stringify(["orders-aurora"]),
  "rds-log-archiver:include": JSON.stringify(["error/", "audit/"]),
  "rds-log-archiver:schedule": "rate(10 minutes)",
  "rds-log-archiver:memorySize": "512",
  "rds-log-archiver:timeout": "300",
  "rds-log-archiver:concurrency": "6",
  "rds-log-archiver:activeRefreshMinutes": "30",
  "rds-log-archiver:kmsKeyArn": KMS_KEY_ARN,
  "rds-log-archiver:versioning": "true",
  "rds-log-archiver:transitionDays": "60",
  "rds-log-archiver:transitionStorageClass": "GLACIER_IR",
  "rds-log-archiver:expirationDays": "400",
  "rds-log-archiver:noncurrentVersionExpirationDays": "14",
  "rds-log-archiver:logRetentionDays": "90",
  "rds-log-archiver:archiveEvents": "true",
  // The last is the stack's own sync function's log group.
  "rds-log-archiver:logGroups": JSON.stringify(["/aws/rds/instance/prod-rds/error", "/aws/rds/cluster/orders-aurora/audit", "/aws/lambda/rds-log-archiver-live"]),
  "rds-log-archiver:alarmEmail": "dba-oncall@example.com",
  "rds-log-archiver:lagAlarmMinutes": "90",
};

const registry: RegisteredResource[] = [];
pulumi.runtime.setAllConfig(CONFIG);
void pulumi.runtime.setMocks(createMocks(registry), "rds-log-archiver", STACK, false);
recordDependencies(registry);

// The program's entry is an async function returning the stack outputs, as Pulumi runs it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const entry: () => Promise<Record<string, pulumi.Output<string> | string>> = require("../../index");
export const program = entry();

/** Errors the program raised outside any output (a closure that cannot be serialized, for example). */
const programErrors: unknown[] = [];
process.on("unhandledRejection", (err) => programErrors.push(err));

const DEADLINE_MS = 30_000;
let outputs: Promise<Record<string, string>> | undefined;

/**
 * Every stack output, resolved. Awaiting the function's outputs also waits for its closure to serialize.
 * If the outputs do not resolve in time (a failed serialization leaves them pending forever), this rejects
 * once, with the program's errors, and every caller gets the same rejection instead of its own timeout.
 */
export function stackOutputs(): Promise<Record<string, string>> {
  outputs ??= new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const causes = programErrors.map((e) => (e instanceof Error ? e.message : String(e))).join("\n---\n");
      reject(new Error(`the program's outputs did not resolve within ${DEADLINE_MS / 1000} s${causes ? `:\n${causes}` : ""}`));
    }, DEADLINE_MS);
    program.then((exported) => Promise.all(Object.entries(exported).map(async ([k, v]) => [k, pulumi.Output.isInstance(v) ? await valueOf(v) : v] as const))).then(
      async (entries) => {
        // Then every resource, including those no output depends on.
        await allRegistered();
        clearTimeout(timer);
        resolve(Object.fromEntries(entries));
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
  return outputs;
}

/**
 * The registered resources, once every output has resolved and every resource has registered, or after the
 * deadline: then whatever did register, so the tests of the bucket and IAM still report on their own.
 */
export async function registered(): Promise<RegisteredResource[]> {
  await stackOutputs().catch(() => undefined);
  return registry;
}

export async function resourcesOf(type: string): Promise<RegisteredResource[]> {
  return (await registered()).filter((r) => r.type === type);
}

/**
 * The single resource of a type (and, when given, of that Pulumi resource name: "sync", "schedule", "events",
 * "logs", ...); fails if there is none or more than one.
 */
export async function the(type: string, name?: string): Promise<RegisteredResource> {
  const found = (await resourcesOf(type)).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type}${name === undefined ? "" : ` named ${name}`}, found ${found.length}`);
  return found[0];
}
