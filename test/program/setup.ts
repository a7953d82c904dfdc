// Loads the program once, in this process, under mocks, with a config that turns every option on.
// Mocha shares one module cache across spec files, so every test/program spec imports this module
// instead of setting mocks itself. Other configs (stack files as written, bad values) load in child
// processes: see harness.ts.
import * as pulumi from "@pulumi/pulumi";
import { CONFIG, KMS_KEY_ARN, STACK } from "./all-options";
import { allRegistered, createMocks, recordDependencies, RegisteredResource, valueOf } from "./mocks";

export { CONFIG, KMS_KEY_ARN, STACK };

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
