import fc from "fast-check";

/** Any string, well-formed UTF-16 (no lone surrogates), biased towards the hostile cases of a key segment. */
export const anyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: fc.constantFrom(".", "_", "%", "/", " ", "-", "a", "2", "E", "F", "\u0000", "\u001f", "\u007f", "é", "😀", "\u200b"), maxLength: 8 }),
  fc.constantFrom("", ".", "..", "...", "_", "__", "_state", "%", "%2E", "%5F", "/", "/x", "x/", " ", "..%2F", "😀", "\u0000"),
);
