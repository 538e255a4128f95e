// For tests: runs one `phantom inspect` command over a source and keeps what it wrote (no tests here).
import { type InspectSource, runInspect } from './inspect-command.js';

export interface Captured {
  code: number;
  out: string;
  err: string;
}

export async function captureInspect(source: InspectSource, args: readonly string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runInspect(
    args,
    source,
    (t) => out.push(t),
    (t) => err.push(t),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}
