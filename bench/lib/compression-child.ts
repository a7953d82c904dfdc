/**
 * The compression figures measured in a plain Node process, as Lambda runs the function: the bench's own process
 * carries ts-node and the TypeScript compiler, a heap whose collections stall the thread that hands members to
 * the pool. Prints the CompressionResult as JSON.
 */
import { compression } from "../sections/bigfile";

compression(Number(process.env.BENCH_COMPRESSION_BYTES)).then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
