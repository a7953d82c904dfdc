/**
 * The order an instance's copies start in. Files larger than `largeBytes` go first, largest first: a big file gets
 * the whole invocation ahead of it rather than what small copies leave. The rest go oldest first, by LastWritten:
 * RDS deletes the oldest files first (a size-rotated chain drops its last member, retention the oldest hour), so a
 * run that cannot finish every copy, or a chain that rotates while the run copies, takes what is closest to going.
 * Pure; ties keep their order.
 */
interface Sized {
  file: { size: number; lastWritten: number };
}

export function copyOrder<T extends Sized>(copies: readonly T[], largeBytes: number): T[] {
  const large = (c: T) => c.file.size > largeBytes;
  return [...copies].sort((a, b) => {
    if (large(a) !== large(b)) return large(a) ? -1 : 1;
    return large(a) ? b.file.size - a.file.size : a.file.lastWritten - b.file.lastWritten;
  });
}
