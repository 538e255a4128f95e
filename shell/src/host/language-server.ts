/**
 * The editor's language server in the host: lang's `phc lsp` server (lang/src/node/lsp/worker.ts)
 * in a worker thread, one per renderer connection, seen by the renderer as an API stream
 * ('lang.server'). A worker, not the host's own thread, because an analysis of a large program
 * takes seconds that the consoles and machines must not wait for; and not a child process,
 * because a packaged Electron app cannot run itself as Node (its fuses forbid it).
 *
 * What crosses the stream is JSON-RPC text: each `stream.input` is one message for the server,
 * and each message from the server is one line of output (JSON has no raw line breaks). The
 * server checks every message itself; this relay only moves strings.
 */
import { Worker } from 'node:worker_threads';
import { HeldOutput } from './held-output.js';
import type { StreamSource } from './stream-hub.js';

/**
 * The server's bundle, beside the host's (shell/build.mjs makes it from lang's worker entry): a
 * package carries the bundles, not the workspace packages, and the unbundled host loads the same.
 */
export const LANGUAGE_SERVER_BUNDLE = new URL('./language-server.bundle.js', import.meta.url);

/** A runaway analysis (a hostile document) ends the worker, not the host. */
const WORKER_HEAP_MB = 512;

export class LanguageServer implements StreamSource {
  private readonly worker: Worker;
  private readonly output = new HeldOutput();
  private ended = false;

  constructor(bundle: URL = LANGUAGE_SERVER_BUNDLE) {
    this.worker = new Worker(bundle, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    this.worker.on('message', (message: unknown) => {
      if (typeof message !== 'string') return;
      this.output.push(`${message}\n`);
    });
  }

  onData(listener: (text: string) => void): void {
    this.output.onData(listener);
  }

  onEnd(listener: (reason: string) => void): void {
    const end = (reason: string) => {
      if (this.ended) return;
      this.ended = true;
      this.output.flush();
      listener(reason);
    };
    this.worker.on('error', (err) => end(`the language server failed: ${err.message}`));
    this.worker.on('exit', (code) =>
      end(code === 0 ? 'the language server exited' : `the language server stopped (exit code ${code})`),
    );
  }

  pause(): void {
    this.output.pause();
  }

  resume(): void {
    this.output.resume();
  }

  /** One JSON-RPC message for the server. */
  write(text: string): void {
    if (!this.ended) this.worker.postMessage(text);
  }

  dispose(): void {
    this.ended = true;
    void this.worker.terminate();
  }
}
