/** The CLI as a user runs it: `bin/rds-log-archiver.js` in a child process, its exit code and both outputs. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { compiledCodeBuilt } from "../suite-build";

export { compiledCodeBuilt };

export const BIN = path.join(__dirname, "..", "..", "bin", "rds-log-archiver.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts BIN once out/ is built; a test that spawns BIN itself awaits compiledCodeBuilt() first. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  await compiledCodeBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
