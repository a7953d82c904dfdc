/** The machine the figures come from, and how busy it was with work other than the bench. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
  /** GNU time is used for peak RSS when present; otherwise /proc/<pid>/status VmHWM is sampled. */
  peakRssTool: "/usr/bin/time -v" | "/proc VmHWM sampling";
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  let model = cpus[0]?.model?.trim() ?? "unknown";
  try {
    const info = fs.readFileSync("/proc/cpuinfo", "utf8");
    const m = /^model name\s*:\s*(.+)$/m.exec(info);
    if (m) model = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    cpuModel: model,
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    peakRssTool: hasGnuTime() ? "/usr/bin/time -v" : "/proc VmHWM sampling",
  };
}

export function hasGnuTime(): boolean {
  try {
    fs.accessSync("/usr/bin/time", fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** CPU jiffies used by this process and its (waited-for) children, from /proc/self/stat. */
function ownJiffies(): number {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    // fields 14-17 (utime, stime, cutime, cstime) are at 11..14 after the comm field
    return f[11] + f[12] + f[13] + f[14];
  } catch {
    return 0;
  }
}

/**
 * Cores kept busy by other work while the bench waits `ms`: machine-wide busy time minus this
 * process's own, over the window. The bench is idle while sampling, so this is the other tenants' load.
 */
export async function externalLoad(ms = 2000): Promise<number | undefined> {
  const a = cpuTimes();
  const ownA = ownJiffies();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  const ownB = ownJiffies();
  if (!a || !b || b.total === a.total) return undefined;
  const cores = os.cpus().length;
  const busy = b.busy - a.busy - (ownB - ownA);
  return Math.max(0, Math.round(((busy / (b.total - a.total)) * cores) * 100) / 100);
}

/** The heaviest processes right now (for the JSON: who else shared the machine). */
export function topProcesses(): string[] {
  try {
    const out = execFileSync("ps", ["-eo", "pcpu,etimes,comm", "--sort=-pcpu"], { encoding: "utf8" });
    return out.split("\n").slice(1, 6).map((l) => l.trim()).filter(Boolean);
  } catch {
    return [];
  }
}

export function gitState(root: string): { commit: string; archiverDirty: boolean } {
  const run = (args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
  try {
    return { commit: run(["rev-parse", "--short", "HEAD"]), archiverDirty: run(["status", "--porcelain", "--", "archiver"]) !== "" };
  } catch {
    return { commit: "unknown", archiverDirty: false };
  }
}
