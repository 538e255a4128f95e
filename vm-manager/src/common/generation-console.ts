/**
 * What a machine printed after one of its generations, read out of its console log, so a replay of
 * that generation can be checked against it. The log says where a generation stands in two ways:
 * a checkpoint of it keeps the console's tail at its moment (found again in the log), or the
 * kernel, run with `debug=snapshots`, writes a line when it freezes a generation's pages
 * ("snapshot: froze …") and one when it commits it ("snapshot: generation N (parent P): …"); the
 * state is that of the freeze, so the output after the last freeze line before the commit line
 * is what came after the generation. Neither: the store keeps no console position, and the
 * reason says so.
 *
 * The text returned is the program's: carriage returns, the console hub's own marks and the
 * kernel's snapshot lines are left out.
 */

/** A line the console hub writes into the log itself (a checkpoint, a rollback), not the machine. */
const HUB_MARK = /\n── [^\n]* ──(?:\n|$)/g;
/** The kernel's snapshot lines (debug=snapshots), which a replay does not print. */
const SNAPSHOT_LINE = /^snapshot: /;

export type GenerationConsole =
  | { readonly text: string; readonly anchor: 'checkpoint' | 'snapshot-lines' }
  | { readonly problem: string };

function programText(text: string): string {
  return (
    text
      .replace(/\r/g, '')
      // The hub writes its mark on a line of its own, with a line break before it.
      .replace(HUB_MARK, '')
      .split('\n')
      .filter((line) => !SNAPSHOT_LINE.test(line))
      .join('\n')
      .replace(/^\n/, '')
  );
}

/** The console after generation `n` in `log`; `checkpointTail` is the tail a checkpoint of `n` kept. */
export function consoleAfterGeneration(log: string, n: number, checkpointTail?: string): GenerationConsole {
  if (checkpointTail !== undefined && checkpointTail.length > 0) {
    const at = log.indexOf(checkpointTail);
    if (at >= 0) return { text: programText(log.slice(at + checkpointTail.length)), anchor: 'checkpoint' };
  }
  const committed = new RegExp(`(?:^|\\n)snapshot: generation ${n} \\(parent `).exec(log);
  if (committed !== null) {
    const before = log.slice(0, committed.index);
    const froze = before.lastIndexOf('snapshot: froze ');
    const previous = before.lastIndexOf('snapshot: generation ');
    const from = froze > previous ? log.indexOf('\n', froze) + 1 : committed.index;
    return { text: programText(log.slice(from)), anchor: 'snapshot-lines' };
  }
  return {
    problem: `the replay's output is not checked against the machine's console: the log does not place generation ${n} (a checkpoint of it keeps its console tail; the kernel option debug=snapshots marks every generation in the log)`,
  };
}
