/**
 * What a machine printed after one of its generations, read out of its console log, so a replay of
 * that generation can be checked against it. The log says where a generation stands in two ways:
 * a checkpoint of it keeps the console's tail at its moment (found again in the log), or the
 * kernel, run with `debug=snapshots`, writes a line when it freezes a generation's pages
 * ("snapshot: froze K pages of generation N in …") and one when it commits it ("snapshot:
 * generation N (parent P): …"); the state is that of the freeze, so the output after N's freeze
 * line is what came after the generation. Commits go on in the background while later
 * generations are frozen (at 100 Hz, often), so N's commit line may follow the freeze lines of
 * N+1 and N+2: the freeze is found by its number, the last one of N before N's commit (a
 * power cut during N's writing leaves an earlier freeze of that number, never committed).
 * Kernels before 2026-12-07 named no number: there the last freeze line before the commit line,
 * and after the commit before, is taken, which holds when commits did not overlap. Neither: the
 * store keeps no console position, and the reason says so.
 *
 * The text returned is the program's: carriage returns, the console hub's own marks and the
 * kernel's snapshot lines are left out.
 */

/** A line the console hub writes into the log itself (a checkpoint, a rollback), not the machine. */
const HUB_MARK = /\n── [^\n]* ──(?:\n|$)/g;
/** A freeze line that names its generation (kernels since 2026-12-07). */
const NUMBERED_FREEZE = /^snapshot: froze \d+ pages of generation \d+ in /;
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
  const from = generationPlace(log, n);
  if (from !== undefined) return { text: programText(log.slice(from)), anchor: 'snapshot-lines' };
  return {
    problem: `the replay's output is not checked against the machine's console: the log does not place generation ${n} (a checkpoint of it keeps its console tail; the kernel option debug=snapshots marks every generation in the log)`,
  };
}

/**
 * Where in `log` (a `debug=snapshots` console log) the output after generation `n` begins: after
 * its freeze line (see the top); undefined when the log holds no commit line of `n`.
 */
export function generationPlace(log: string, n: number): number | undefined {
  const match = new RegExp(`(?:^|\\n)snapshot: generation ${n} \\(parent `).exec(log);
  if (match === null) return undefined;
  const committed = match.index + (log[match.index] === '\n' ? 1 : 0); /* the commit line's start */
  const before = log.slice(0, committed);
  const own = [
    ...before.matchAll(new RegExp(`(?:^|\\n)snapshot: froze \\d+ pages of generation ${n} in `, 'g')),
  ].at(-1);
  if (own !== undefined) return log.indexOf('\n', own.index + 1) + 1;
  // No freeze line of n: a kernel that numbers none, or a log that lost it (then n's commit line).
  const froze = before.lastIndexOf('snapshot: froze ');
  const numbered = NUMBERED_FREEZE.test(log.slice(froze, log.indexOf('\n', froze)));
  const previous = before.lastIndexOf('snapshot: generation ');
  return froze > previous && !numbered ? log.indexOf('\n', froze) + 1 : committed;
}
