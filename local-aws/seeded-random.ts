/**
 * The one seeded generator the simulator, the bench and the demo draw their workloads from, so every run is
 * reproducible from its seed. mulberry32: small, fast, good enough for workloads (not for cryptography).
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.below(items.length)];
  }

  /** A pick where early items are much more frequent, as in real workloads. */
  skewed<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    const r = this.next();
    return items[Math.floor(r * r * r * items.length)];
  }

  /** Poisson-distributed count with mean `lambda` (Knuth, in chunks so large means stay exact enough). */
  poisson(lambda: number): number {
    let total = 0;
    let rest = lambda;
    while (rest > 0) {
      const l = Math.min(rest, 30);
      rest -= l;
      const limit = Math.exp(-l);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      total += k;
    }
    return total;
  }

  /** A new generator whose stream is independent of this one's future draws. */
  fork(salt: string): SeededRandom {
    let h = 2166136261;
    for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 16777619);
    return new SeededRandom((h ^ Math.floor(this.next() * 4294967296)) >>> 0);
  }
}
