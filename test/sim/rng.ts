/**
 * Seeded randomness for the simulator: every scenario is reproducible from its seed.
 * mulberry32: small, fast, good enough for workload generation (not for cryptography).
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)];
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
  fork(salt: string): Rng {
    let h = 2166136261;
    for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 16777619);
    return new Rng((h ^ Math.floor(this.next() * 4294967296)) >>> 0);
  }
}

/**
 * Words for line payloads: 2-, 3- and 4-byte UTF-8 sequences, combining marks, RTL text, and characters
 * that trip naive escaping. No "\n" and no "\r": a line is everything up to its "\n".
 */
const WORDS = [
  "ログ", "ünïcødé", "🚀", "données", "Ελληνικά", "中文日志", "עברית", "ßtraße", "𝄞𝄢", "👩‍💻", "é́", "Ω≈ç√∫",
  "naïve", "Привет", "🙂🙃", "тест", "한국어", "ไทย", "\t", "\"quoted\"", "back\\slash", "100%", "a&b<c>", "select",
  "from", "where", "id=42", "user@host", "' OR 1=1", "…", "€", "😀", "💾", "𐍈",
];

/** A random single-line payload of `words` words: multibyte UTF-8, never contains "\n" or "\r". */
export function payload(rng: Rng, minWords = 3, maxWords = 12): string {
  const n = rng.int(minWords, maxWords);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(rng.pick(WORDS));
  return parts.join(" ");
}
