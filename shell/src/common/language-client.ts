/**
 * The studio's language client, apart from Monaco and the DOM: JSON-RPC requests and
 * notifications over the 'lang.server' stream (one message per input, one per line of output),
 * the initialize handshake, and the diagnostics the server publishes, kept per document with the
 * version they are of. renderer/editor-language.ts connects it to Monaco; the Problems panel
 * reads the diagnostics. Why our own and not monaco-languageclient: that one needs Monaco
 * replaced by the VS Code API build (@codingame/monaco-vscode-*, some thirty packages with their
 * own services and workers), and our renderer reaches the host only through its API anyway; the
 * protocol's shapes come from vscode-languageserver-types.
 */
import type { Diagnostic } from 'vscode-languageserver-types';

/** What the server says a document's problems are, as of a version of it. */
export interface PublishedDiagnostics {
  readonly uri: string;
  readonly version?: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** A diagnostic's message as text (the protocol allows markdown there too). */
export function diagnosticText(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

/** A request the server answered with an error (a refused rename carries the reason). */
export class LanguageServerError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'LanguageServerError';
  }
}

/** Monaco's cancellation token has this shape; a cancelled request is withdrawn from the server. */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): unknown;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** JSON-RPC's error for a method the client does not serve (the server asks nothing of us yet). */
const METHOD_NOT_FOUND = -32601;

export class LanguageClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private partial = '';
  private readonly published = new Map<string, PublishedDiagnostics>();
  private readonly diagnosticsListeners = new Set<(uri: string) => void>();
  private ended: Error | undefined;

  /** `send` delivers one message's JSON text to the server. */
  constructor(private readonly send: (text: string) => void) {}

  /** The handshake; the client offers what the studio shows (markdown hovers and completion docs). */
  async initialize(initializationOptions: object): Promise<unknown> {
    const result = await this.request('initialize', {
      processId: null,
      clientInfo: { name: 'Phantom Studio' },
      rootUri: null,
      capabilities: {
        textDocument: {
          synchronization: { dynamicRegistration: false },
          completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { versionSupport: true },
          rename: { prepareSupport: true },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        },
      },
      initializationOptions,
    });
    this.notify('initialized', {});
    return result;
  }

  request<R>(method: string, params: unknown, cancellation?: Cancellation): Promise<R> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    const answer = new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
    this.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    cancellation?.onCancellationRequested(() => {
      if (this.pending.has(id)) this.notify('$/cancelRequest', { id });
    });
    return answer;
  }

  notify(method: string, params: unknown): void {
    if (!this.ended) this.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  /** Output of the server's stream, as it comes: each whole line is one message. */
  receive(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') this.handle(line);
  }

  /** The server is gone: what is pending fails with the reason, and so does everything later. */
  close(reason: string): void {
    this.ended = new Error(reason);
    for (const p of this.pending.values()) p.reject(this.ended);
    this.pending.clear();
    const uris = [...this.published.keys()];
    this.published.clear();
    for (const uri of uris) this.fireDiagnostics(uri);
  }

  get closed(): boolean {
    return this.ended !== undefined;
  }

  /** The latest diagnostics of a document (none before the server published any). */
  diagnosticsOf(uri: string): PublishedDiagnostics | undefined {
    return this.published.get(uri);
  }

  /** Every document's latest diagnostics. */
  allDiagnostics(): PublishedDiagnostics[] {
    return [...this.published.values()];
  }

  /** Drops what is known of a document the editor closed. */
  forget(uri: string): void {
    if (this.published.delete(uri)) this.fireDiagnostics(uri);
  }

  onDidChangeDiagnostics(listener: (uri: string) => void): { dispose(): void } {
    this.diagnosticsListeners.add(listener);
    return { dispose: () => this.diagnosticsListeners.delete(listener) };
  }

  private handle(line: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { id, method } = message;
    if (typeof method === 'string') {
      if (id !== undefined) {
        this.send(
          JSON.stringify({
            jsonrpc: '2.0',
            id,
            error: { code: METHOD_NOT_FOUND, message: `${method} is not served` },
          }),
        );
      } else if (method === 'textDocument/publishDiagnostics') this.publish(message.params);
      return;
    }
    if (typeof id !== 'number') return;
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    const error = message.error as { code?: unknown; message?: unknown } | undefined;
    if (error)
      pending.reject(
        new LanguageServerError(
          typeof error.code === 'number' ? error.code : 0,
          typeof error.message === 'string' ? error.message : 'the language server refused',
        ),
      );
    else pending.resolve(message.result ?? null);
  }

  private publish(params: unknown): void {
    const p = params as Partial<PublishedDiagnostics> | undefined;
    if (typeof p?.uri !== 'string' || !Array.isArray(p.diagnostics)) return;
    this.published.set(p.uri, {
      uri: p.uri,
      ...(typeof p.version === 'number' ? { version: p.version } : {}),
      diagnostics: p.diagnostics,
    });
    this.fireDiagnostics(p.uri);
  }

  private fireDiagnostics(uri: string): void {
    for (const listener of this.diagnosticsListeners) listener(uri);
  }
}
