// Child-process entry: loads the Pulumi program under mocks with the config in PROGRAM_SPEC and
// prints one line, RESULT_MARKER + JSON: the stack outputs and registered resources, or the error
// that stopped the program. Run through harness.ts, one process per config, so every load starts
// from a clean module cache and a clean Pulumi runtime.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { allRegistered, createMocks, RegisteredResource, valueOf } from "./mocks";

export const RESULT_MARKER = "@@program-result@@";

export interface ProgramSpec {
  config: Record<string, string>;
  stack?: string;
  region?: string;
  /** Load as `pulumi preview` would (the runtime's dry-run flag). Default true. */
  preview?: boolean;
  /**
   * Unpack every function's deployment package into `<dir>/<resource name>/` ("sync", "events", "logs") as Lambda
   * would: the serialized `__index.js` beside the package's `node_modules/` folders, and nothing else.
   */
  unpackFunctionsTo?: string;
  /** The program to load, relative to the repository: by default this project's own (index.ts). */
  entry?: string;
}

export interface ProgramResult {
  ok: boolean;
  error?: string;
  outputs?: Record<string, unknown>;
  /** Every resource registered, also when the program failed: a bad config must register none. */
  resources?: RegisteredResource[];
}

const registry: RegisteredResource[] = [];

function finish(result: ProgramResult): never {
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
  process.exit(result.ok ? 0 : 1);
}

/** Without their code assets, which are large and not JSON. */
function registeredResources(): RegisteredResource[] {
  return registry.map(({ type, name, inputs }) => {
    const { code: _code, ...rest } = inputs;
    return { type, name, inputs: rest };
  });
}

let failing = false;

/** Reports the error with what registered before it (waiting, briefly, for registrations already under way). */
async function fail(err: unknown): Promise<never> {
  if (failing) return new Promise<never>(() => undefined);
  failing = true;
  // Not unref()ed: a registration stuck on the failed value must not let the process exit before it reports.
  const settled = new Promise<void>((resolve) => setTimeout(resolve, 5_000));
  await Promise.race([allRegistered().catch(() => undefined), settled]);
  finish({ ok: false, error: err instanceof Error ? err.message : String(err), resources: registeredResources() });
}

async function main(): Promise<void> {
  const spec: ProgramSpec = JSON.parse(process.env.PROGRAM_SPEC ?? "{}");
  process.on("unhandledRejection", fail);
  process.on("uncaughtException", fail);

  pulumi.runtime.setAllConfig(spec.config);
  await pulumi.runtime.setMocks(createMocks(registry, spec.region), "rds-log-archiver", spec.stack ?? "test", spec.preview ?? true);

  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("the program's outputs did not resolve within 60 s")), 60_000).unref(),
  );
  // The entry is an async function returning the stack outputs, as Pulumi runs it.
  let program: Record<string, unknown>;
  try {
    const entry: () => Promise<Record<string, unknown>> = require(path.resolve(__dirname, "../..", spec.entry ?? "index"));
    program = await Promise.race([entry(), timeout]);
  } catch (err) {
    return fail(err);
  }
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    outputs[key] = pulumi.Output.isInstance(value) ? await Promise.race([valueOf(value), timeout]) : value;
  }

  await Promise.race([allRegistered(), timeout]);

  if (spec.unpackFunctionsTo) {
    for (const fn of registry.filter((r) => r.type === "aws:lambda/function:Function")) {
      await unpack(fn, path.join(spec.unpackFunctionsTo, fn.name));
    }
  }

  finish({ ok: true, outputs, resources: registeredResources() });
}

/** The function's code AssetArchive, written out: `__index.js` as text, each node_modules folder whole. */
async function unpack(fn: RegisteredResource, root: string): Promise<void> {
  fs.mkdirSync(root, { recursive: true });
  for (const [entry, asset] of Object.entries(await fn.inputs.code.assets) as [string, { text?: Promise<string>; path?: Promise<string> }][]) {
    const target = path.join(root, entry);
    if (asset.text) fs.writeFileSync(target, await asset.text);
    else if (asset.path) placeTree(path.resolve(await asset.path), target);
    else throw new Error(`${fn.name}: the package entry ${entry} is neither text nor a path`);
  }
}

/**
 * A copy of a folder, symbolic links followed, whose files are hard links where the file system allows (a package
 * holds thousands of files that no test writes to): Node resolves modules by path, so a link loads as a copy would.
 */
function placeTree(source: string, target: string): void {
  if (!fs.statSync(source).isDirectory()) {
    try {
      fs.linkSync(fs.realpathSync(source), target);
    } catch {
      fs.copyFileSync(source, target);
    }
    return;
  }
  fs.mkdirSync(target, { recursive: true });
  for (const name of fs.readdirSync(source)) placeTree(path.join(source, name), path.join(target, name));
}

if (require.main === module) main().catch(fail);
