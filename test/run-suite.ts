/**
 * `npm test`: while mocha runs every test file, the longest first so that the workers finish together, tsc builds
 * the package into out/ as npm's prepare does (in build mode: after `npm ci`, nothing is left to build) and then
 * type-checks the whole project. The tests that start the compiled CLI or install the package wait for the build
 * (./suite-build.ts). Fails if any of them fails; prints tsc's errors and the slowest files at the end. Given test
 * files, runs only those.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { announceBuild, recordBuild } from "./suite-build";

const REPO = path.join(__dirname, "..");

/**
 * Files that take longest in a full run (wall time with their hooks, from the times this runner prints), slowest
 * first; every other file follows in name order. A missing name is skipped.
 */
const SLOWEST_FIRST = [
  "test/sim/schemes.test.ts",
  "test/sim/mixed.test.ts",
  "test/sim/overlap.test.ts",
  "test/sim/verify-logs.test.ts",
  "test/engine/cli.test.ts",
  "test/engine/sync.test.ts",
  "test/engine/resumable-copy-serialized.test.ts",
  "test/sim/state-loss.test.ts",
  "test/program/stacks.test.ts",
  "test/sim/gap-ledger.test.ts",
  "test/sim/fan-out.test.ts",
  "test/program/consumer.test.ts",
  "test/program/validation.test.ts",
  "test/sim/faults.test.ts",
  "test/engine/resumable-copy.test.ts",
  "test/sim/active-refresh.test.ts",
  "test/engine/timeouts.test.ts",
  "test/engine/cli-start.test.ts",
  "test/infra/ci-roles.test.ts",
];

function testFiles(dir = "test"): string[] {
  return fs.readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((entry) => {
    const name = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : testFiles(name);
    return name.endsWith(".test.ts") ? [name] : [];
  });
}

function inOrder(files: string[]): string[] {
  const rank = (file: string) => (SLOWEST_FIRST.includes(file) ? SLOWEST_FIRST.indexOf(file) : SLOWEST_FIRST.length);
  return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on("close", (code, signal) => resolve(code ?? (signal ? 128 + os.constants.signals[signal] : 1))));
}

async function main(): Promise<number> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "rds-log-archiver-suite-"));
  const buildStatus = path.join(work, "build-status");
  const fileTimes = path.join(work, "file-times");
  const bin = (name: string) => path.join(REPO, "node_modules", ".bin", name);

  const tsc = (...args: string[]) => spawn(bin("tsc"), args, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let tscOutput = "";
  const collect = (child: ChildProcess) => {
    child.stdout!.on("data", (d) => (tscOutput += d));
    child.stderr!.on("data", (d) => (tscOutput += d));
    return exited(child);
  };
  const started = Date.now();
  let buildSeconds = 0;
  let checkSeconds = 0;
  // Build mode: when out/ is newer than every input (as after `npm ci`), it checks the timestamps and stops.
  const built = collect(tsc("-b", "tsconfig.package.json")).then((code) => {
    recordBuild(buildStatus, code);
    buildSeconds = (Date.now() - started) / 1000;
    return code;
  });
  // Behind the tests in the CPU's queue: only the end of the run waits for it.
  const checked = built.then(() => {
    const check = tsc("-p", "tsconfig.json", "--noEmit");
    if (check.pid) os.setPriority(check.pid, 10);
    return collect(check).then((code) => {
      checkSeconds = (Date.now() - started) / 1000;
      return code;
    });
  });

  const env = { ...announceBuild(buildStatus, process.env), TEST_FILE_TIMES: fileTimes };
  const files = process.argv.length > 2 ? process.argv.slice(2) : testFiles();
  const mocha = spawn(bin("mocha"), inOrder(files), { cwd: REPO, env, stdio: "inherit" });
  const [testsCode, buildCode, checkCode] = await Promise.all([exited(mocha), built, checked]);

  if (fs.existsSync(fileTimes)) {
    const slowest = fs.readFileSync(fileTimes, "utf8").trim().split("\n").map((line) => line.split(" ")).sort((a, b) => Number(b[0]) - Number(a[0]));
    console.log(`slowest test files: ${slowest.slice(0, 20).map(([ms, file]) => `${file} ${(Number(ms) / 1000).toFixed(1)} s`).join(", ")}`);
  }
  console.log(`tsc built the package into out/ in ${buildSeconds.toFixed(0)} s and type-checked the project by ${checkSeconds.toFixed(0)} s, beside the tests`);
  if (buildCode !== 0 || checkCode !== 0) console.error(`tsc failed (package build exit ${buildCode}, type-check exit ${checkCode}):\n${tscOutput}`);
  fs.rmSync(work, { recursive: true, force: true });
  return testsCode || buildCode || checkCode;
}

main().then((code) => (process.exitCode = code));
