/**
 * MySQL / MariaDB audit plugin: `audit/server_audit.log` rotates by size.
 *
 * When an append takes the active file past `thresholdBytes`, RDS drops `.9`, renames `.8`→`.9` … `.1`→`.2`
 * and the active file → `.1`, and starts a new empty active file. Renames keep LastWritten, so a name never
 * identifies content. Whatever falls off `.9` is gone: if no sync saw it in a closed file first, the ledger
 * counts it as unarchivable (RDS's loss, not the archiver's).
 *
 * Bursts with spreadMs = 0 write many lines in one millisecond: several rotations then share a LastWritten,
 * which is the case the chain's "rank among equal LastWritten" identity exists for.
 */
import { EngineModel, ModelOptions, SimFile } from "./model";

export const AUDIT_ACTIVE = "audit/server_audit.log";

export interface MysqlAuditOptions extends ModelOptions {
  /** Rotate once the active file exceeds this many bytes (RDS default 1,000,000; tests use ~20 KB). */
  thresholdBytes?: number;
  /** Rotated files kept (RDS default 9). */
  rotations?: number;
}

export class MysqlAuditModel extends EngineModel {
  readonly scheme = "mysql-audit" as const;
  readonly thresholdBytes: number;
  readonly rotations: number;
  /** How many rotations happened so far (for tests and reports). */
  rotationCount = 0;

  constructor(o: MysqlAuditOptions) {
    super(o);
    this.thresholdBytes = o.thresholdBytes ?? 20_000;
    this.rotations = o.rotations ?? 9;
    this.put(new SimFile(AUDIT_ACTIVE, o.start, true));
  }

  protected writeLine(at: number): void {
    const active = this.table.get(AUDIT_ACTIVE)!;
    active.append(this.ledger.write(this.instance, "audit", at), at);
    if (active.size > this.thresholdBytes) this.rotateNow(at);
  }

  private rotateNow(at: number): void {
    this.rotateChain(AUDIT_ACTIVE, this.rotations);
    this.put(new SimFile(AUDIT_ACTIVE, at, true));
    this.rotationCount++;
  }

  protected streamOf(): string {
    return "audit";
  }

  protected boundary(): void {
    // Size-based only: nothing happens on the clock.
  }

  /** End of a scenario: rotate the non-empty active file now (MariaDB's server_audit_file_rotate_now). */
  override closeActive(): void {
    if (this.table.get(AUDIT_ACTIVE)!.lines.length > 0) this.rotateNow(this.now);
  }

  /** Race: the database writes until the active file rotates, renaming every member of the chain. */
  override rotate(name: string): boolean {
    if (name !== AUDIT_ACTIVE && !name.startsWith(`${AUDIT_ACTIVE}.`)) return false;
    const before = this.rotationCount;
    while (this.rotationCount === before) this.writeLine(this.now);
    return true;
  }
}
