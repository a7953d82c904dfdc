/**
 * Prints the IAM documents of one stack's CI roles (infra/ci-roles.ts), for `aws iam create-role` and
 * `aws iam put-role-policy`. The account, region, bucket and subscribed log groups come from Pulumi.<stack>.yaml.
 *
 *   npm run --silent ci-roles -- --repo <owner>/<name> --stack <stack> [--state-bucket <bucket>] [--print <document>]
 *
 * <document>: preview-trust, preview-policy, deploy-trust or deploy-policy. Without --print, all four and the
 * role names, as one JSON object.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { partitionOf } from "../infra/account";
import { ciRoleName, ciTrustPolicy, CiStack, deployRolePolicy, previewRolePolicy } from "../infra/ci-roles";
import { archiveBucketName, configReader, parseConfig } from "../infra/config";

// js-yaml is a devDependency: this runs from a checkout, never in a Lambda.
const yaml: { load(text: string): unknown } = require("js-yaml");

const DOCUMENTS = ["preview-trust", "preview-policy", "deploy-trust", "deploy-policy"] as const;
type DocumentName = (typeof DOCUMENTS)[number];

interface Options {
  repository: string;
  stack: string;
  stateBucket: string;
  print?: DocumentName;
}

class UsageError extends Error {}

export function parseOptions(argv: string[]): Options {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!["--repo", "--stack", "--state-bucket", "--print"].includes(flag)) throw new UsageError(`unknown option ${flag}`);
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    values[flag] = value;
  }
  const repository = values["--repo"] ?? "";
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) throw new UsageError(`--repo must be <owner>/<name>, got "${repository}"`);
  if (!values["--stack"]) throw new UsageError("--stack is required");
  const print = values["--print"];
  if (print !== undefined && !DOCUMENTS.includes(print as DocumentName)) throw new UsageError(`--print takes ${DOCUMENTS.join(", ")}, got "${print}"`);
  return { repository, stack: values["--stack"], stateBucket: values["--state-bucket"] ?? "", print: print as DocumentName | undefined };
}

/** The stack's CI scope from the project and stack files in `dir`. */
export function ciStackFromFiles(dir: string, o: Options): CiStack {
  const project = (yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { name: string }).name;
  const file = path.join(dir, `Pulumi.${o.stack}.yaml`);
  if (!fs.existsSync(file)) throw new UsageError(`no stack file ${path.basename(file)}`);
  const raw = (yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
  const get = (key: string) => {
    const value = raw[key.includes(":") ? key : `${project}:${key}`];
    return value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value);
  };
  const config = parseConfig(get);
  const region = get("aws:region");
  if (!region) throw new UsageError(`${path.basename(file)} sets no aws:region`);
  const reader = configReader(get);
  const accounts = reader.list("aws:allowedAccountIds");
  const problems = reader.problems.map((p) => p.message);
  if (problems.length > 0 || accounts.length !== 1) {
    throw new UsageError(`${path.basename(file)}: aws:allowedAccountIds must name exactly one account ${problems.join("; ")}`.trim());
  }
  const [accountId] = accounts;
  return {
    repository: o.repository,
    project,
    stack: o.stack,
    accountId,
    region,
    partition: partitionOf(region),
    bucketName: archiveBucketName(accountId, config.bucketName, region),
    logGroups: config.logGroups,
    fanOut: config.fanOut,
    stateBucket: o.stateBucket,
  };
}

export function documents(s: CiStack): Record<DocumentName, object> {
  return {
    "preview-trust": ciTrustPolicy(s, "preview"),
    "preview-policy": previewRolePolicy(s),
    "deploy-trust": ciTrustPolicy(s, "deploy"),
    "deploy-policy": deployRolePolicy(s),
  };
}

function main(): void {
  try {
    const options = parseOptions(process.argv.slice(2));
    const stack = ciStackFromFiles(path.resolve(__dirname, ".."), options);
    const docs = documents(stack);
    const out = options.print
      ? docs[options.print]
      : { previewRoleName: ciRoleName(stack, "preview"), deployRoleName: ciRoleName(stack, "deploy"), ...docs };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } catch (err) {
    process.stderr.write(`ci-roles: ${(err as Error).message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) main();
