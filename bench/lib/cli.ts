/**
 * Runs the real CLI (`bin/rds-log-archiver.js sync ... --json`) in a child process and measures it:
 * peak RSS with GNU time when present (cross-checked by sampling /proc/<pid>/status VmHWM), CPU time,
 * wall time, and the JSON report.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { SyncReport } from "../../archiver";
import { hasGnuTime } from "./machine";

export const ROOT = path.join(__dirname, "..", "..");
export const BIN = path.join(ROOT, "bin", "rds-log-archiver.js");

export interface CliRun {
  code: number | null;
  report: SyncReport;
  /** Process wall time, ms (node start to exit). */
  wallMs: number;
  /** The sync itself, from the report's startedAt/finishedAt, ms. */
  syncMs: number;
  /** Peak RSS of the sync process, bytes (GNU time when present, else the sampled VmHWM). */
  peakRss: number;
  /** VmHWM as last sampled from /proc while the process ran (a cross-check; undefined if never sampled). */
  sampledHwm?: number;
  userS: number;
  sysS: number;
  stderr: string;
}

function readStatus(pid: number): Record<string, string> | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Object.fromEntries(text.split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]));
  } catch {
    return undefined;
  }
}

function kb(value: string | undefined): number | undefined {
  const m = /^(\d+)\s*kB$/.exec(value ?? "");
  return m ? Number(m[1]) * 1024 : undefined;
}

function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function procTimes(pid: number): { userS: number; sysS: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    return { userS: f[11] / 100, sysS: f[12] / 100 };
  } catch {
    return undefined;
  }
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const useTime = hasGnuTime();
  const argv = [BIN, "sync", ...args, "--json"];
  const started = process.hrtime.bigint();
  // The report goes to a file, not a pipe: the CLI ends with process.exit(), which can cut a large report
  // written to a pipe short (a 200-instance report is megabytes).
  const reportFile = path.join(os.tmpdir(), `bench-report-${process.pid}-${Date.now()}.json`);
  const out = fs.openSync(reportFile, "w");
  const child = useTime
    ? spawn("/usr/bin/time", ["-v", process.execPath, ...argv], { env, stdio: ["ignore", out, "pipe"] })
    : spawn(process.execPath, argv, { env, stdio: ["ignore", out, "pipe"] });
  fs.closeSync(out);
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));

  // Sample the node process: its VmHWM, and its CPU times (as a fallback when GNU time is absent).
  let sampledHwm: number | undefined;
  let lastTimes: { userS: number; sysS: number } | undefined;
  const nodePid = (): number | undefined => (useTime ? childPids(child.pid!)[0] : child.pid);
  const sample = () => {
    const pid = nodePid();
    if (pid === undefined) return;
    const hwm = kb(readStatus(pid)?.VmHWM);
    if (hwm !== undefined) sampledHwm = Math.max(sampledHwm ?? 0, hwm);
    lastTimes = procTimes(pid) ?? lastTimes;
  };
  const timer = setInterval(sample, 50);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c) => resolve(c));
  });
  clearInterval(timer);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;

  let peakRss = sampledHwm ?? 0;
  let userS = lastTimes?.userS ?? 0;
  let sysS = lastTimes?.sysS ?? 0;
  if (useTime) {
    const max = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
    const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
    if (!max) throw new Error(`no GNU time output from the CLI run:\n${stderr.slice(-2000)}`);
    peakRss = Number(max[1]) * 1024;
    userS = Number(user?.[1] ?? 0);
    sysS = Number(sys?.[1] ?? 0);
    // with GNU time, the node process's exit status is in "Exit status: N"
  }
  const stdout = fs.readFileSync(reportFile, "utf8");
  fs.rmSync(reportFile, { force: true });
  let report: SyncReport;
  try {
    report = JSON.parse(stdout) as SyncReport;
  } catch {
    throw new Error(`the CLI printed no JSON report (exit ${code}, ${stdout.length} chars):\n${stdout.slice(-500)}\n${stderr.slice(-2000)}`);
  }
  const syncMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return { code, report, wallMs, syncMs, peakRss, ...(sampledHwm !== undefined ? { sampledHwm } : {}), userS, sysS, stderr };
}

/**
 * bin/rds-log-archiver.js runs the compiled out/ when it exists. Make sure out/ is not older than the
 * engine's sources, so the bench measures the engine as it is (and as `npm ci` builds it on a fresh clone).
 */
export function ensureBuilt(): { rebuilt: boolean } {
  const stale = (dir: string): boolean =>
    fs.readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) return stale(p);
      if (!entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) return false;
      const js = path.join(ROOT, "out", path.relative(ROOT, p)).replace(/\.ts$/, ".js");
      return !fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(p).mtimeMs;
    });
  const outDir = path.join(ROOT, "out", "archiver");
  const fresh = !stale(path.join(ROOT, "archiver"));
  if (fresh) return { rebuilt: false };
  process.stderr.write("bench: out/ is missing or older than archiver/: building it (tsc -p tsconfig.json)...\n");
  try {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: ROOT, stdio: "pipe" });
  } catch (err) {
    // tsc emits even with type errors elsewhere in the project; the CLI check below decides
    const out = String((err as { stdout?: Buffer }).stdout ?? "");
    process.stderr.write(`bench: tsc reported ${(out.match(/error TS/g) ?? []).length} type errors (out/ was still emitted)\n`);
  }
  if (!fs.existsSync(path.join(outDir, "cli", "main.js"))) throw new Error("tsc did not produce out/archiver/cli/main.js");
  return { rebuilt: true };
}
