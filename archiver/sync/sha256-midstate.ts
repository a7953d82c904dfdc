/**
 * SHA-256 (FIPS 180-4) in plain JavaScript, with a state that can be exported as JSON and resumed in another
 * process. node:crypto cannot serialize a hash in progress; a copy resumed through an HTTP Range request never
 * sees the bytes before its offset, so it continues the whole-content hash from the state saved at that offset.
 * Pure: no I/O. Slower than node:crypto, so it is used only where a state must be exported.
 */

/** An exported hash in progress: the eight words after the last whole block, the bytes not yet in a block, the length. */
export interface Sha256State {
  /** Eight 32-bit words, hex, 64 characters. */
  h: string;
  /** Up to 63 bytes not yet hashed, base64. */
  tail: string;
  /** Bytes hashed so far. */
  bytes: number;
}

// Plain arrays at module scope: the closure serializer cannot carry typed arrays (docs/development.md).
const K: readonly number[] = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

export interface Sha256Midstate {
  update(data: Buffer): void;
  /** The state after everything given so far, to resume from elsewhere. */
  exportState(): Sha256State;
  digestHex(): string;
}

export function sha256Midstate(from?: Sha256State): Sha256Midstate {
  // Function-local typed arrays: fast, and nothing at module scope for the serializer to mangle.
  const h = new Int32Array(8);
  const w = new Int32Array(64);
  const k = Int32Array.from(K);
  const tail = new Uint8Array(64);
  let tailLength = 0;
  if (from) {
    if (!/^[0-9a-f]{64}$/.test(from.h)) throw new Error("sha256 state: h must be 64 hex digits");
    for (let i = 0; i < 8; i++) h[i] = parseInt(from.h.slice(i * 8, i * 8 + 8), 16) | 0;
    const saved = Buffer.from(from.tail, "base64");
    if (saved.length >= 64 || saved.length !== from.bytes % 64) throw new Error("sha256 state: tail does not match the length");
    tail.set(saved);
    tailLength = saved.length;
  } else {
    h.set(INITIAL);
  }
  let bytes = from ? from.bytes : 0;

  /** Hashes the 64-byte blocks of `buf` from `at` to `end` (a multiple of 64 past `at`), all in local variables. */
  function blocks(buf: Uint8Array, at: number, end: number): void {
    let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7];
    for (let p = at; p < end; p += 64) {
      for (let i = 0, j = p; i < 16; i++, j += 4) w[i] = (buf[j] << 24) | (buf[j + 1] << 16) | (buf[j + 2] << 8) | buf[j + 3];
      for (let i = 16; i < 64; i++) {
        const x = w[i - 15];
        const y = w[i - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7;
      for (let i = 0; i < 64; i++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + k[i] + w[i]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + hh) | 0;
    }
    h[0] = h0; h[1] = h1; h[2] = h2; h[3] = h3; h[4] = h4; h[5] = h5; h[6] = h6; h[7] = h7;
  }

  function update(data: Uint8Array): void {
    bytes += data.length;
    let at = 0;
    if (tailLength > 0) {
      const taken = Math.min(64 - tailLength, data.length);
      tail.set(data.subarray(0, taken), tailLength);
      tailLength += taken;
      at = taken;
      if (tailLength < 64) return;
      blocks(tail, 0, 64);
      tailLength = 0;
    }
    const end = at + ((data.length - at) & ~63);
    blocks(data, at, end);
    tail.set(data.subarray(end), 0);
    tailLength = data.length - end;
  }

  const wordsHex = () => Array.from(h, (x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
  const exportState = (): Sha256State => ({ h: wordsHex(), tail: Buffer.from(tail.subarray(0, tailLength)).toString("base64"), bytes });

  return {
    update,
    exportState,
    digestHex() {
      const copy = sha256Midstate(exportState());
      const padLength = ((55 - (bytes % 64)) & 63) + 9;
      const pad = Buffer.alloc(padLength);
      pad[0] = 0x80;
      const bits = bytes * 8;
      pad.writeUInt32BE(Math.floor(bits / 2 ** 32), padLength - 8);
      pad.writeUInt32BE(bits >>> 0, padLength - 4);
      copy.update(pad);
      return copy.exportState().h;
    },
  };
}
