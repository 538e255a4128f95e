/**
 * Shared by shell's fuzz tests, never shipped: the seed a fuzz test uses (the generator is lang's
 * seededRandom, shared by every package's fuzz tests).
 */

/** The seed a fuzz test uses: PHANTOM_FUZZ_SEED to replay a failure, else the test's own. */
export function fuzzSeed(fallback: number): number {
  return Number(process.env.PHANTOM_FUZZ_SEED ?? fallback);
}
