/**
 * The deployment packages `pulumi up` would ship, produced once per test process: the program is loaded under
 * mocks in a child process (test/program/load-program.ts), and each function's code archive is unpacked into a
 * temporary directory, `<dir>/<function>/__index.js` beside the node_modules folders the package holds.
 * The directory lies outside the repository, so a handler can require only what was shipped.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONFIG, STACK } from "../program/all-options";
import { loadProgram } from "../program/harness";
import type { ProgramSpec } from "../program/load-program";

export type FunctionName = "sync" | "events" | "logs" | "verify";

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

const produced = new Map<string, Promise<ShippedFunctions>>();
const directories: string[] = [];
// Tens of thousands of files: removed by a detached process, so the test run does not wait for the disk.
process.once("exit", () => {
  if (directories.length > 0) spawn("rm", ["-rf", ...directories], { detached: true, stdio: "ignore" }).unref();
});

/** The unpacked packages of a stack, produced on first use and shared by every caller in this process. */
export function shippedFunctions(spec: Omit<ProgramSpec, "unpackFunctionsTo"> = ALL_OPTIONS): Promise<ShippedFunctions> {
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

async function produce(spec: Omit<ProgramSpec, "unpackFunctionsTo">): Promise<ShippedFunctions> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rds-log-archiver-shipped-"));
  directories.push(dir);
  const loaded = await loadProgram({ ...spec, unpackFunctionsTo: dir });
  if (!loaded.ok) throw new Error(`the program did not load: ${loaded.error}\n${loaded.stderr}`);
  const functions: ShippedFunctions = { sync: undefined, events: undefined, logs: undefined, verify: undefined };
  for (const resource of loaded.resources ?? []) {
    if (resource.type !== "aws:lambda/function:Function") continue;
    const name = resource.name as FunctionName;
    if (!(name in functions)) throw new Error(`unexpected function ${resource.name}: add it to test/shipped/packages.ts`);
    const root = path.join(dir, name);
    functions[name] = { name, dir: root, file: path.join(root, "__index.js"), variables: resource.inputs.environment?.variables ?? {} };
  }
  return functions;
}
