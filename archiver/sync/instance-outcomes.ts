/**
 * The bookkeeping of one instance's sync: what happened to each file goes into the report once, with the
 * event that tells of it and the archive-lag mark (oldestUnarchived) of every closed file left behind.
 */
import { errorCode, errorMessage } from "../errors";
import type { Gap } from "../planning/gaps";
import type { CopyAction, PlannedAction, RejectAction, SkipAction } from "../planning/plan-instance";
import type { FileOutcome, InstanceReport, SyncEvent } from "../report";

export interface CopiedFile {
  bytesRead: number;
  bytesWritten: number;
  /** How long the copy took, ms. */
  ms: number;
  /** Added to the report's reason, not to the event's: e.g. that an older object was kept. */
  note?: string;
}

export type InstanceOutcomes = ReturnType<typeof instanceOutcomes>;

export function instanceOutcomes(target: { instance: string; group: string }, onEvent?: (e: SyncEvent) => void) {
  const { instance } = target;
  const report: InstanceReport = {
    instance, group: target.group, listed: 0, copied: [], skipped: [], deferred: [], failed: [], bytesRead: 0, bytesWritten: 0,
  };

  function leftBehind(a: PlannedAction): void {
    if (a.action === "copy" && !a.final) return;
    const lw = a.file.lastWritten;
    report.oldestUnarchived = report.oldestUnarchived === undefined ? lw : Math.min(report.oldestUnarchived, lw);
  }

  return {
    report,

    /**
     * A round's plan: its skips replace the last round's, and its rejections replace earlier failures of the
     * same files. Copies are not recorded until they end; the event tells how many this round starts.
     */
    planned(listed: number, actions: readonly PlannedAction[], copies: readonly CopyAction[] = []): void {
      report.listed = listed;
      report.skipped = actions.filter((a): a is SkipAction => a.action === "skip").map((a) => ({ ...outcome(a, a.reason), skip: a.skip }));
      const rejects = actions.filter((a): a is RejectAction => a.action === "reject");
      for (const r of rejects) leftBehind(r);
      const rejected = rejects.map((a) => outcome(a, a.reason));
      report.failed = [...report.failed.filter((f) => !rejected.some((r) => r.file === f.file)), ...rejected];
      for (const r of rejected) onEvent?.({ type: "failed", instance, file: r.file, reason: r.reason });
      if (copies.length > 0) onEvent?.({ type: "planned", instance, files: copies.length, bytes: copies.reduce((n, c) => n + c.file.size, 0) });
    },

    /** A file the last run listed left RDS unarchived; `key` is its gap ledger entry (none in a dry run). */
    lost(gap: Gap, key?: string): void {
      const entry = { file: gap.file, size: gap.size, lastWritten: gap.lastWritten, reason: gap.reason, ...(key ? { key } : {}) };
      report.lost = [...(report.lost ?? []), entry];
      onEvent?.({ type: "lost", instance, ...entry });
    },

    /** The state object was missing or unreadable, and was rebuilt from the archive: `found` files were already archived. */
    stateRebuilt(found: number): void {
      report.stateRebuilt = { archivedFilesFound: found };
    },

    /** Whether a copy of this file already failed or was deferred this run: a re-plan does not try it again. */
    settled(file: string): boolean {
      return report.failed.some((f) => f.file === file) || report.deferred.some((f) => f.file === file);
    },

    /** A dry run's copies: what a real run would do. */
    dryRun(copies: readonly CopyAction[]): void {
      report.planned = copies.map((c) => outcome(c, c.reason));
    },

    started(c: CopyAction): void {
      onEvent?.({ type: "copy-start", instance, file: c.file.name, key: c.key, size: c.file.size });
    },

    progress(c: CopyAction, bytesRead: number): void {
      onEvent?.({ type: "progress", instance, file: c.file.name, bytesRead, size: c.file.size });
    },

    copied(c: CopyAction, done: CopiedFile): void {
      const { bytesRead, bytesWritten } = done;
      report.bytesRead += bytesRead;
      report.bytesWritten += bytesWritten;
      report.copied.push({ ...outcome(c, c.reason + (done.note ?? "")), bytesRead, bytesWritten });
      onEvent?.({ type: "copied", instance, file: c.file.name, key: c.key, reason: c.reason, bytesRead, bytesWritten, ms: done.ms });
    },

    /** Left for the next run, which is not a failure. */
    deferred(c: CopyAction, reason: string): void {
      report.deferred.push(outcome(c, reason));
      leftBehind(c);
      onEvent?.({ type: "deferred", instance, file: c.file.name, key: c.key, reason });
    },

    copyFailed(c: CopyAction, err: unknown): void {
      const code = errorCode(err);
      const reason = `${code}: ${errorMessage(err)}`;
      report.failed.push(outcome(c, reason));
      leftBehind(c);
      onEvent?.({ type: "failed", instance, file: c.file.name, key: c.key, reason, code });
    },

    /** The file kept changing under its copies, round after round: the next run tries again. */
    keptChanging(c: CopyAction): void {
      report.failed.push(outcome(c, "changed during copy; retried next run"));
      leftBehind(c);
    },

    /** The instance as a whole failed: its listing or its state object. */
    instanceFailed(err: unknown): void {
      report.error = { code: errorCode(err), message: errorMessage(err) };
      onEvent?.({ type: "failed", instance, reason: report.error.message, code: report.error.code });
    },
  };
}

function outcome(a: PlannedAction, reason: string): FileOutcome {
  return {
    file: a.file.name,
    ...("key" in a && a.key ? { key: a.key } : {}),
    reason,
    size: a.file.size,
  };
}
