/** Safe, reversible key segments: every key the archiver writes is built from these. */

/**
 * Encodes one key segment so that any string maps to a distinct, safe, non-empty segment. Letters, digits,
 * `.`, `_` and `-` stay readable. Everything else is percent-encoded as UTF-8: `/`, spaces, `%`, unicode,
 * and control characters. So are a leading `_` (reserved for the archiver's own segments), and a segment
 * that would read as `.` or `..`. The empty string becomes `_`, and a lone UTF-16 surrogate becomes
 * `%uXXXX`: neither form can come out of the rules above.
 */
export function encodeSegment(raw: string): string {
  if (raw === "") return "_";
  let out = "";
  for (const ch of raw) {
    const code = ch.charCodeAt(0);
    if (/^[A-Za-z0-9._-]$/.test(ch)) out += ch;
    else if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) out += `%u${code.toString(16).toUpperCase()}`;
    else for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  if (out.startsWith("_")) out = `%5F${out.slice(1)}`;
  if (out === "." || out === "..") out = out.replace(/\./g, "%2E");
  return out;
}

/** Inverse of encodeSegment. */
export function decodeSegment(segment: string): string {
  if (segment === "_") return "";
  return segment
    .split(/(%u[0-9A-F]{4})/)
    .map((part) => (part.startsWith("%u") ? String.fromCharCode(parseInt(part.slice(2), 16)) : decodeURIComponent(part)))
    .join("");
}
