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
  /** Write the sync function's serialized `__index.js` here. */
  writeHandlerTo?: string;
  /** Write every function's serialized `__index.js` into this directory, as `<resource name>.js` ("sync", "events", "logs"). */
  writeHandlersTo?: string;
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
    setTimeout(() => reject(new Error("the program's outputs did not resolve within 30 s")), 30_000).unref(),
  );
  // The entry is an async function returning the stack outputs, as Pulumi runs it.
  let program: Record<string, unknown>;
  try {
    const entry: () => Promise<Record<string, unknown>> = require("../../index");
    program = await Promise.race([entry(), timeout]);
  } catch (err) {
    return fail(err);
  }
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    outputs[key] = pulumi.Output.isInstance(value) ? await Promise.race([valueOf(value), timeout]) : value;
  }

  await Promise.race([allRegistered(), timeout]);

  const functions = registry.filter((r) => r.type === "aws:lambda/function:Function");
  const handlerText = async (fn: RegisteredResource) => (await fn.inputs.code.assets)["__index.js"].text as Promise<string>;
  const sync = functions.find((r) => r.name === "sync");
  if (spec.writeHandlerTo && sync) fs.writeFileSync(spec.writeHandlerTo, await handlerText(sync));
  if (spec.writeHandlersTo) {
    for (const fn of functions) fs.writeFileSync(path.join(spec.writeHandlersTo, `${fn.name}.js`), await handlerText(fn));
  }

  finish({ ok: true, outputs, resources: registeredResources() });
}

if (require.main === module) main().catch(fail);
