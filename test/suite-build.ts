/**
 * `npm test` (test/run-suite.ts) builds the package into out/, as npm's prepare does, while mocha already runs the
 * tests that do not need out/. The tests that start the compiled CLI or install the package wait for that build
 * first. Run on their own (`npx mocha <file>`), they find no build under way: the CLI's tests use out/ as it is.
 */
import * as fs from "node:fs";

const VARIABLE = "RDS_LOG_ARCHIVER_TEST_BUILD";

/** The runner's side: the file that will hold tsc's exit code, named to the test processes through the environment. */
export function announceBuild(statusFile: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, [VARIABLE]: statusFile };
}

export function recordBuild(statusFile: string, exitCode: number): void {
  fs.writeFileSync(`${statusFile}.writing`, String(exitCode));
  fs.renameSync(`${statusFile}.writing`, statusFile);
}

/** Whether this process runs under `npm test`, which builds out/ (else nothing builds it). */
export function suiteBuildsOut(): boolean {
  return process.env[VARIABLE] !== undefined;
}

/** Resolves once out/ is complete; rejects if the build failed (its errors are printed by the runner). */
export async function compiledCodeBuilt(): Promise<void> {
  const statusFile = process.env[VARIABLE];
  if (!statusFile) return;
  while (!fs.existsSync(statusFile)) await new Promise((resolve) => setTimeout(resolve, 200));
  const code = fs.readFileSync(statusFile, "utf8");
  if (code !== "0") throw new Error(`the package build into out/ (tsc -p tsconfig.package.json) failed with exit code ${code}: see its errors at the end of the run`);
}
