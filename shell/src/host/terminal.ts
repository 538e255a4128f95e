/**
 * Terminals on the host: the user's shell in a pseudo-terminal (node-pty), for `make`, gdb on
 * QEMU's gdb stub and the `phantom` CLI beside the machine's console. node-pty lives only in
 * the host process; the renderer sees a stream like any other.
 */
import { type IPty, spawn } from 'node-pty';
import type { StreamSource } from './stream-hub.js';

/**
 * node-pty reports a process's exit before the last of its output has been read; the end is
 * held back until the output has been quiet this long (VS Code's DataFlushTimeout) ...
 */
const EXIT_QUIET_MS = 250;
/** ... but never longer than this, for a process whose children keep the pty open. */
const EXIT_FLUSH_LIMIT_MS = 2000;

export interface TerminalOptions {
  cols: number;
  rows: number;
  cwd: string;
  /** Defaults to $SHELL, then /bin/bash. */
  shell?: string;
  args?: string[];
}

export class Terminal implements StreamSource {
  readonly title: string;
  private readonly pty: IPty;
  private disposed = false;
  private lastDataAt = 0;

  constructor(options: TerminalOptions) {
    const shell = options.shell ?? process.env.SHELL ?? '/bin/bash';
    this.pty = spawn(shell, options.args ?? [], {
      name: 'xterm-256color',
      cols: options.cols,
      rows: options.rows,
      cwd: options.cwd,
      env: { ...process.env, TERM: 'xterm-256color', COLORTERM: 'truecolor' } as Record<string, string>,
    });
    this.title = shell.split('/').pop() ?? shell;
  }

  onData(listener: (text: string) => void): void {
    this.pty.onData((text) => {
      this.lastDataAt = Date.now();
      listener(text);
    });
  }

  onEnd(listener: (reason: string) => void): void {
    this.pty.onExit(({ exitCode, signal }) => {
      const reason = signal
        ? `${this.title} ended by signal ${signal}`
        : `${this.title} exited with ${exitCode}`;
      // What is still buffered is small (one pty buffer): read it regardless of flow control.
      this.pty.resume();
      const exitedAt = Date.now();
      const settle = () => {
        if (this.disposed) return;
        const now = Date.now();
        if (now - this.lastDataAt >= EXIT_QUIET_MS || now - exitedAt >= EXIT_FLUSH_LIMIT_MS) listener(reason);
        else setTimeout(settle, EXIT_QUIET_MS);
      };
      setTimeout(settle, EXIT_QUIET_MS);
    });
  }

  pause(): void {
    this.pty.pause();
  }

  resume(): void {
    this.pty.resume();
  }

  write(data: string): void {
    this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    this.pty.resize(cols, rows);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pty.kill();
  }
}
