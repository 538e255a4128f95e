/**
 * How messages reach the language server and leave it, apart from what it does with them:
 * `TextMessageReader` takes each message as JSON text — from the stdio framing (stdio.ts) or
 * from a worker's port (worker.ts) — checks it (common/lsp/message.ts) and hands the good ones
 * to vscode-languageserver's connection; a bad one is answered with its JSON-RPC error at once,
 * so the peer learns what was wrong and the connection goes on.
 */
import type { MessagePort } from 'node:worker_threads';
import {
  AbstractMessageReader,
  AbstractMessageWriter,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageWriter,
} from 'vscode-languageserver/node';
import { decodeMessage, type RpcDecodeError } from '../../common/lsp/message.js';

export class TextMessageReader extends AbstractMessageReader {
  private callback: DataCallback | undefined;
  /** Messages that arrived before the connection listened. */
  private readonly early: Message[] = [];

  constructor(private readonly writer: MessageWriter) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    for (const m of this.early.splice(0)) callback(m);
    return { dispose: () => (this.callback = undefined) };
  }

  /** One message's JSON text. */
  receive(text: string): void {
    const decoded = decodeMessage(text);
    if ('error' in decoded) {
      this.reject(decoded.error);
      return;
    }
    const message = decoded.message as Message;
    if (this.callback) this.callback(message);
    else this.early.push(message);
  }

  /** Answers what could not be a message (a framing error, a body that is not JSON-RPC). */
  reject(error: RpcDecodeError): void {
    void this.writer.write({
      jsonrpc: '2.0',
      id: error.id,
      error: { code: error.code, message: error.message },
    } as Message);
  }

  /** The peer has gone. */
  end(): void {
    this.fireClose();
  }
}

/** Writes each message as JSON text to a worker thread's port (the studio's host relays it). */
export class PortTextWriter extends AbstractMessageWriter implements MessageWriter {
  constructor(private readonly port: MessagePort) {
    super();
  }

  async write(message: Message): Promise<void> {
    this.port.postMessage(JSON.stringify(message));
  }

  end(): void {
    this.fireClose();
  }
}
