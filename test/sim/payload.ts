import type { SeededRandom } from "../../local-aws/seeded-random";

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
export function payload(rng: SeededRandom, minWords = 3, maxWords = 12): string {
  const n = rng.int(minWords, maxWords);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(rng.pick(WORDS));
  return parts.join(" ");
}
