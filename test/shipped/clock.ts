/**
 * A virtual clock a function host reads synchronously: a small file the test rewrites whenever its clock moves
 * (host-process.js reads it on every Date.now()). A file, not a message, because the clock can move while the
 * handler runs (a race hook in the parent advances it) and the handler must see the new time at once.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const WIDTH = 20;

export class VirtualClockFile {
  private readonly fd: number;
  private constructor(readonly path: string) {
    this.fd = fs.openSync(path, "w");
  }

  static create(t: number): VirtualClockFile {
    const clock = new VirtualClockFile(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "virtual-clock-")), "now"));
    clock.set(t);
    return clock;
  }

  /** One fixed-width write at offset 0, so a reader never sees a mix of two times. */
  set(t: number): void {
    if (!Number.isSafeInteger(t)) throw new Error(`virtual clock: ${t} is not a time in ms`);
    fs.writeSync(this.fd, String(t).padStart(WIDTH, " "), 0);
  }

  dispose(): void {
    fs.closeSync(this.fd);
    fs.rmSync(path.dirname(this.path), { recursive: true, force: true });
  }
}
