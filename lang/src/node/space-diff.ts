/**
 * Compares two raw space dumps as machines (common/interp/space-compare.ts): the kernel's
 * differential tests run it on what phrun and run-image left behind.
 *
 *   node lang/dist/node/space-diff.js <dump A> <dump B>
 *
 * Exit codes: 0 the same machine, 1 they differ (the differences on stdout, A's value first),
 * 2 usage or a file that cannot be read.
 */
import { compareSpaces } from '../common/interp/space-compare.js';
import { readSpaceDump } from './space-file.js';

function main(args: string[]): number {
  if (args.length !== 2) {
    process.stderr.write('usage: space-diff <space dump A> <space dump B>\n');
    return 2;
  }
  let a: Uint8Array;
  let b: Uint8Array;
  try {
    a = readSpaceDump(args[0]!);
    b = readSpaceDump(args[1]!);
  } catch (err) {
    process.stderr.write(`space-diff: ${(err as Error).message}\n`);
    return 2;
  }
  const differences = compareSpaces(a, b);
  for (const d of differences) process.stdout.write(`${d}\n`);
  return differences.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
