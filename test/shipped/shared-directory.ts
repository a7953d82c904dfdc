/**
 * One temporary directory for the whole test run, created by the first test process (mocha's main process, which
 * loads test/setup-env.ts before it starts its workers) and named in an environment variable that the workers
 * inherit. The deployment packages are produced into it once per run instead of once per worker.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const VARIABLE = "RDS_LOG_ARCHIVER_TEST_PACKAGES";

/** Called once per process by test/setup-env.ts: the process that creates the directory removes it on exit. */
export function claimSharedPackagesDirectory(): void {
  if (process.env[VARIABLE]) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rds-log-archiver-run-"));
  process.env[VARIABLE] = dir;
  // Tens of thousands of files: removed by a detached process, so the test run does not wait for the disk.
  process.once("exit", () => spawn("rm", ["-rf", dir], { detached: true, stdio: "ignore" }).unref());
}

export function sharedPackagesDirectory(): string | undefined {
  const dir = process.env[VARIABLE];
  return dir && fs.existsSync(dir) ? dir : undefined;
}
