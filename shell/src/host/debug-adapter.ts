/**
 * The studio's debugger in the host: one session of the debug adapter that `phantom dap` serves
 * to VS Code and Neovim (inspector's PhantomDebugSession, over vm-manager's machines), run in
 * this process and seen by the renderer as an API stream ('debug.adapter'). In-process rather
 * than a `phantom dap` child because a packaged Electron app cannot run itself as Node (its fuses
 * forbid it), and the adapter is the same code either way.
 *
 * What crosses the stream is DAP's JSON: each `stream.input` is one request, checked by the
 * adapter's own framing check (inspector's dap-framing.ts) before the session sees it, a bad one
 * answered with an error response; each response and event of the session is one line of output.
 * When the stream closes (the window closed or reloaded, the connection dropped) the session is
 * disconnected as an editor would, so the breakpoints it set and the threads it holds in the
 * machine are released; nothing is left behind by a renderer that went away. Unless its machine
 * is going down (a stop, a power cut, a rollback): what the session holds then is part of the
 * state the machine comes back with, for the next session to take over, not to be undone in the
 * moment before the machine goes.
 *
 * Not here: what a request means (inspector/src/node/dap/session.ts), finding machines
 * (vm-manager's dap.ts).
 */
import { PassThrough, Writable } from 'node:stream';
import { classifyMessage, DapReader, frameDapMessage } from '@phantom/inspector/common/dap-framing.js';
import { type DapHost, PhantomDebugSession } from '@phantom/inspector/node/dap/session.js';
import { HeldOutput } from './held-output.js';
import type { StreamSource } from './stream-hub.js';

/** How long a closing stream waits for the session's disconnect (clearing breakpoints) to answer. */
const DISCONNECT_DEADLINE_MS = 10_000;

export class DebugAdapterStream implements StreamSource {
  private readonly session: PhantomDebugSession;
  private readonly toSession = new PassThrough();
  private readonly reader = new DapReader();
  private readonly output = new HeldOutput();
  private endListener: ((reason: string) => void) | undefined;
  private ended = false;
  private disposed = false;
  /** The session answered a disconnect: the relay's own, on close. */
  private onDisconnected: (() => void) | undefined;
  /** The machine the renderer attached to (or launched), as its request named it. */
  private machine: string | undefined;

  constructor(
    host: (ended: () => void) => DapHost,
    /** Whether a machine runs (running or paused): a closing stream releases only such a machine. */
    private readonly isRunning: (machine: string) => Promise<boolean>,
  ) {
    this.session = new PhantomDebugSession(host(() => this.end('the debug session ended')));
    const fromSession = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const input of this.reader.feed(chunk)) {
          if (input.kind !== 'other') continue;
          const message = input.message;
          if (message.type === 'response' && message.command === 'disconnect') this.onDisconnected?.();
          this.emit(`${JSON.stringify(message)}\n`);
        }
        done();
      },
    });
    this.session.start(this.toSession, fromSession);
  }

  onData(listener: (text: string) => void): void {
    this.output.onData(listener);
  }

  onEnd(listener: (reason: string) => void): void {
    this.endListener = listener;
  }

  pause(): void {
    this.output.pause();
  }

  resume(): void {
    this.output.resume();
  }

  /** One DAP request from the renderer. */
  write(text: string): void {
    if (this.ended) return;
    const input = classifyMessage(text);
    if (input.kind === 'request') {
      const { command, arguments: args } = input.request;
      const named = (args as { machine?: unknown } | undefined)?.machine;
      if ((command === 'attach' || command === 'launch') && typeof named === 'string') this.machine ??= named;
      this.toSession.write(frameDapMessage({ ...input.request, arguments: args ?? {} }));
    } else if (input.kind === 'problem') this.session.refuse(input.seq, input.command, input.message);
    else this.session.refuse(0, '', 'the adapter takes requests only');
  }

  /**
   * Disconnects the session as an editor would (its breakpoints cleared, its stopped threads let
   * go), then ends it. Resolves once that is done or has taken too long.
   */
  async close(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const release = this.machine === undefined || (await this.isRunning(this.machine).catch(() => false));
    if (!this.ended && release) {
      const answered = new Promise<void>((resolve) => {
        this.onDisconnected = resolve;
        setTimeout(resolve, DISCONNECT_DEADLINE_MS).unref();
      });
      this.toSession.write(
        frameDapMessage({ type: 'request', seq: 0, command: 'disconnect', arguments: {} }),
      );
      await answered;
    }
    this.ended = true;
    this.session.shutdown();
  }

  dispose(): void {
    void this.close();
  }

  private emit(line: string): void {
    // After close the renderer has gone: the relay's own disconnect is answered to nobody.
    if (!this.disposed) this.output.push(line);
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.output.flush();
    if (!this.disposed) this.endListener?.(reason);
  }
}
