/**
 * The number grammars of settings and CLI options: plain decimal only, so that "1e3", "0x10", "+5" or " 5"
 * are refused rather than read as something the user did not mean.
 */

/** A whole number in plain decimal, or undefined. */
export function parseWholeNumber(raw: string): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A duration in decimal seconds, fractions allowed ("0.5", ".5", "2"), or undefined. */
export function parseSeconds(raw: string): number | undefined {
  if (!/^([0-9]+(\.[0-9]+)?|\.[0-9]+)$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}
