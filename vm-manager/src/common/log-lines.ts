/**
 * The last lines of a console or hypervisor log worth showing a person, for a crashed machine's
 * reason: blank lines, QEMU's register dumps and CPU-reset headers left out, terminal escapes and
 * control characters removed, each line cut to a readable length.
 */

/** Longer lines are cut: a reason is read in a status line or a tooltip. */
const MAX_LINE_CHARS = 160;

/**
 * QEMU's `cpu_dump_state` lines ("EAX=…", "ES =0000 …", "Code=…"), reset headers, and the words of
 * the KVM exit that follow "KVM internal error" ("extra data[0]: 0x…").
 */
const REGISTER_DUMP = /^(?:[A-Z][A-Z0-9]{1,5} ?=|Code=|CPU Reset \(CPU \d+\)|extra data\[\d+\]:)/;

const ESCAPE_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

export function lastMeaningfulLines(text: string, count: number): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n').reverse()) {
    if (lines.length === count) break;
    const line = raw.replace(ESCAPE_SEQUENCE, '').trim();
    if (line.length === 0 || REGISTER_DUMP.test(line)) continue;
    lines.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS - 1)}…` : line);
  }
  return lines.reverse();
}

/**
 * A crashed machine's reason in one line: the cause, then the console's and the hypervisor's
 * last lines, quoted, so the user sees what the kernel said last without opening a log.
 */
export function crashReason(cause: string, consoleLines: string[], hypervisorLines: string[]): string {
  const quoted = (lines: string[]) => lines.map((l) => `"${l}"`).join(' ');
  const parts = [cause];
  if (consoleLines.length > 0) parts.push(`console: ${quoted(consoleLines)}`);
  if (hypervisorLines.length > 0) parts.push(`QEMU: ${quoted(hypervisorLines)}`);
  return parts.join('; ');
}
