/**
 * `phantom continue`: replays kept generation N of a machine's store on the reference interpreter
 * to a position (instructions since N, the position a replay in `phantom dap` shows) and continues
 * the machine from the replay's state there (Machine.continueFromSpace). The debug adapter's
 * `continueMachineFromHere` does the same from wherever its replay stands.
 */
import { Replay } from '@phantom/inspector/common/replay.js';
import { openStoreFile } from '@phantom/inspector/node/store-file.js';
import type { BranchResult, RevertOptions } from '../common/api.js';
import { VmError, type VmErrorCode } from '../common/errors.js';
import type { OnMachineProgress } from '../common/progress.js';
import type { Machine } from './machines.js';

/** The object space of kept generation `n` of the machine's store; `code` names a failure to read it. */
export function generationSpace(machine: Machine, n: number, code: VmErrorCode): Uint8Array {
  try {
    const opened = openStoreFile(machine.dir.disk);
    try {
      return opened.store.readGenerationPages(n);
    } finally {
      opened.close();
    }
  } catch (err) {
    throw new VmError(code, `cannot replay generation ${n} of '${machine.name}': ${(err as Error).message}`);
  }
}

export async function continueFromReplay(
  machine: Machine,
  generation: number,
  position: number,
  options: RevertOptions,
  onProgress?: OnMachineProgress,
): Promise<BranchResult & { position: number }> {
  if (!Number.isSafeInteger(position) || position < 0)
    throw new VmError('bad-input', `--at ${position} is not a whole number of instructions`);
  const space = generationSpace(machine, generation, 'no-such-checkpoint');
  let replay: Replay;
  try {
    replay = new Replay(space);
  } catch (err) {
    throw new VmError(
      'disk-problem',
      `cannot replay generation ${generation} of '${machine.name}': ${(err as Error).message}`,
    );
  }
  const stop = replay.goto(position);
  if (stop.position !== position)
    throw new VmError(
      'bad-input',
      `the replay of generation ${generation} ends at instruction ${stop.position}, before ${position}; nothing was written`,
    );
  const done = await machine.continueFromSpace(
    generation,
    replay.spaceHere(),
    { ...options, what: `a replay of generation ${generation} at instruction ${position}` },
    onProgress,
  );
  return { ...done, position };
}
