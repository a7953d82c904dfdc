/**
 * What Pulumi's closure serializer writes for a value it cannot carry across, found in a serialized `__index.js`.
 * Each pattern below is what it emits (checked against @pulumi/pulumi 3.x in serialized-code.test.ts):
 *  - a module-level built-in instance (Set, Map, Date, URL, Buffer, WeakMap...) captured whole becomes
 *    `Object.create(global.Set.prototype)`: the prototype without the internal state, so every method throws;
 *  - one whose methods alone are used (`CODES.has(x)`) becomes a plain object holding the detached method,
 *    `value: global.Set.prototype.has`, which throws "called on incompatible receiver";
 *  - a class extending a built-in (`class X extends Error`) becomes a function whose `super(message)` is
 *    `Error.call(this, message)`: the message is dropped and instances are no `Error`;
 *  - a module-level instance of one of our classes becomes `Object.create(__X_proto)` plus a snapshot of its
 *    fields at deploy time: state shared by every invocation, private fields lost.
 */
export interface CapturedInstance {
  line: number;
  kind: "built-in instance" | "detached built-in method" | "class extending a built-in" | "class instance";
  text: string;
}

const PATTERNS: [CapturedInstance["kind"], RegExp][] = [
  ["built-in instance", /Object\.create\(global\.[A-Za-z0-9_$]+\.prototype\)/],
  ["detached built-in method", /value: global\.[A-Za-z0-9_$]+\.prototype\.[A-Za-z0-9_$]+/],
  ["class extending a built-in", /Object\.setPrototypeOf\(__[A-Za-z0-9_$]+, global\.[A-Za-z0-9_$]+\)/],
  ["class instance", /= Object\.create\(__[A-Za-z0-9_$]+_proto\)/],
];

export function capturedInstances(serialized: string): CapturedInstance[] {
  const found: CapturedInstance[] = [];
  serialized.split("\n").forEach((text, i) => {
    for (const [kind, pattern] of PATTERNS) if (pattern.test(text)) found.push({ line: i + 1, kind, text: text.trim() });
  });
  return found;
}
