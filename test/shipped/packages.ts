/**
 * The deployment packages `pulumi up` would ship, produced once per test run: the program is loaded under
 * mocks in a child process (test/program/load-program.ts), and each function's code archive is unpacked into a
 * temporary directory, `<dir>/<function>/__index.js` beside the node_modules folders the package holds.
 * The directory lies outside the repository, so a handler can require only what was shipped.
 * Mocha's worker processes share one directory per stack (see ./shared-directory.ts): the first to need a stack's
 * packages produces them, the others wait for it. The load's result (outputs and resources) is shared the same way,
 * so a test of a stack's resources does not load that stack again (programLoad).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONFIG, STACK } from "../program/all-options";
import { loadProgram, stackFileConfig, type LoadResult } from "../program/harness";
import type { ProgramSpec } from "../program/load-program";
import { sharedPackagesDirectory } from "./shared-directory";

export type FunctionName = "sync" | "events" | "logs" | "dispatch" | "worker" | "verify";

export interface ShippedFunction {
  name: FunctionName;
  /** The unpacked package: `__index.js` and `node_modules/`. */
  dir: string;
  /** The serialized handler, `<dir>/__index.js`. */
  file: string;
  /** The environment the stack gives the function. */
  variables: Record<string, string>;
}

export type ShippedFunctions = Record<FunctionName, ShippedFunction | undefined>;

/** The stack whose packages every serialized-handler test runs unless it names another: every option on. */
export const ALL_OPTIONS: Omit<ProgramSpec, "unpackFunctionsTo"> = { config: CONFIG, stack: STACK, preview: false };

/** Every option on, and fan-out: the dispatcher and worker packages instead of the sync function's. */
export const FAN_OUT: Omit<ProgramSpec, "unpackFunctionsTo"> = {
  config: {
    ...CONFIG,
    "rds-log-archiver:fanOut": "true",
    "rds-log-archiver:workerConcurrency": "4",
    "rds-log-archiver:workerMemorySize": "1769",
    "rds-log-archiver:workerTimeout": "300",
  },
  stack: STACK,
  preview: false,
};

/** The committed live stack file, as `pulumi preview` loads it. */
export const LIVE: Omit<ProgramSpec, "unpackFunctionsTo"> = { config: stackFileConfig("live"), stack: "live", region: "us-east-1" };

interface Produced {
  functions: ShippedFunctions;
  loaded: LoadResult;
}

const produced = new Map<string, Promise<Produced>>();
const directories: string[] = [];
// Tens of thousands of files: removed by a detached process, so the test run does not wait for the disk.
process.once("exit", () => {
  if (directories.length > 0) spawn("rm", ["-rf", ...directories], { detached: true, stdio: "ignore" }).unref();
});

/** The unpacked packages of a stack, produced on first use and shared by every caller in this process. */
export async function shippedFunctions(spec: Omit<ProgramSpec, "unpackFunctionsTo"> = ALL_OPTIONS): Promise<ShippedFunctions> {
  return (await producedFor(spec)).functions;
}

/**
 * The stack's outputs and resources from the load that produced its packages. A stack that fails to load or to
 * package resolves as not ok, with the reason, like loadProgram.
 */
export async function programLoad(spec: Omit<ProgramSpec, "unpackFunctionsTo">): Promise<LoadResult> {
  return producedFor(spec).then(
    (result) => result.loaded,
    (err: unknown) => ({ ok: false, error: err instanceof Error ? err.message : String(err), stderr: "" }),
  );
}

function producedFor(spec: Omit<ProgramSpec, "unpackFunctionsTo">): Promise<Produced> {
  const cacheKey = JSON.stringify(spec);
  let result = produced.get(cacheKey);
  if (!result) {
    result = produce(spec);
    produced.set(cacheKey, result);
    // A failed load is reported to every caller, but not cached: a later test may try again.
    result.catch(() => produced.delete(cacheKey));
  }
  return result;
}

/** One function's package; fails if the stack deploys no such function. */
export async function shipped(name: FunctionName, spec?: Omit<ProgramSpec, "unpackFunctionsTo">): Promise<ShippedFunction> {
  const fn = (await shippedFunctions(spec))[name];
  if (!fn) throw new Error(`the stack ${spec?.stack ?? ALL_OPTIONS.stack} deploys no "${name}" function`);
  return fn;
}

const PRODUCED = "produced.json";
const FAILED = "failed";

async function produce(spec: Omit<ProgramSpec, "unpackFunctionsTo">): Promise<Produced> {
  const shared = sharedPackagesDirectory();
  if (!shared) return produceInto(privateDirectory(), spec);
  const dir = path.join(shared, createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 16));
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    // Another worker produces them: wait for its result; if it failed, try on our own.
    return (await producedBy(dir)) ?? produceInto(privateDirectory(), spec);
  }
  try {
    const result = await produceInto(dir, spec);
    writeAtomically(path.join(dir, PRODUCED), JSON.stringify(result));
    return result;
  } catch (err) {
    writeAtomically(path.join(dir, FAILED), String(err));
    throw err;
  }
}

async function producedBy(dir: string): Promise<Produced | undefined> {
  for (;;) {
    if (fs.existsSync(path.join(dir, PRODUCED))) return JSON.parse(fs.readFileSync(path.join(dir, PRODUCED), "utf8")) as Produced;
    if (fs.existsSync(path.join(dir, FAILED))) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function writeAtomically(file: string, text: string): void {
  fs.writeFileSync(`${file}.writing`, text);
  fs.renameSync(`${file}.writing`, file);
}

function privateDirectory(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rds-log-archiver-shipped-"));
  directories.push(dir);
  return dir;
}

async function produceInto(dir: string, spec: Omit<ProgramSpec, "unpackFunctionsTo">): Promise<Produced> {
  const loaded = await loadProgram({ ...spec, unpackFunctionsTo: dir });
  if (!loaded.ok) throw new Error(`the program did not load: ${loaded.error}\n${loaded.stderr}`);
  const functions: ShippedFunctions = { sync: undefined, events: undefined, logs: undefined, dispatch: undefined, worker: undefined, verify: undefined };
  for (const resource of loaded.resources ?? []) {
    if (resource.type !== "aws:lambda/function:Function") continue;
    const name = resource.name as FunctionName;
    if (!(name in functions)) throw new Error(`unexpected function ${resource.name}: add it to test/shipped/packages.ts`);
    const root = path.join(dir, name);
    functions[name] = { name, dir: root, file: path.join(root, "__index.js"), variables: resource.inputs.environment?.variables ?? {} };
  }
  return { functions, loaded };
}
