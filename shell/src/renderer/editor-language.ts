/**
 * The editor's language features: Monaco's providers answered by the language server (lang's
 * `phc lsp`, which the host runs; common/language-client.ts speaks to it over the 'lang.server'
 * stream). Completion, hover, go to definition, find references, rename and the outline are
 * requests; the open models are kept in step with didOpen/didChange/didClose; the diagnostics the
 * server publishes become markers (squiggles) and the Problems panel's list.
 *
 * If the server stops (its worker died), the next use starts another and opens the models in it
 * again, a few times at most, so one bad moment does not cost the session its language features.
 */

import type { Disposable } from '@phantom/inspector/common/events.js';
import { PHANTOM_LANGUAGE_ID } from '@phantom/lang/common/editor/monarch.js';
import type {
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  Hover,
  Location,
  MarkupContent,
  Range,
  WorkspaceEdit,
} from 'vscode-languageserver-types';
import { diagnosticText, LanguageClient, type PublishedDiagnostics } from '../common/language-client.js';
import type { ApiClient } from './api-client.js';
import { monaco } from './monaco.js';

/** Starts of the server one page makes before it gives up (each follows a stop). */
const MAX_SERVER_STARTS = 4;
/** How long Install waits for the diagnostics of the text it is about to compile. */
const DIAGNOSTICS_WAIT_MS = 5000;
const MARKER_OWNER = 'phc';

const completionKinds: Record<number, monaco.languages.CompletionItemKind> = {
  2: monaco.languages.CompletionItemKind.Method,
  5: monaco.languages.CompletionItemKind.Field,
  6: monaco.languages.CompletionItemKind.Variable,
  7: monaco.languages.CompletionItemKind.Class,
  9: monaco.languages.CompletionItemKind.Module,
  14: monaco.languages.CompletionItemKind.Keyword,
};

const symbolKinds: Record<number, monaco.languages.SymbolKind> = {
  5: monaco.languages.SymbolKind.Class,
  6: monaco.languages.SymbolKind.Method,
  8: monaco.languages.SymbolKind.Field,
  9: monaco.languages.SymbolKind.Constructor,
};

const severities: Record<number, monaco.MarkerSeverity> = {
  1: monaco.MarkerSeverity.Error,
  2: monaco.MarkerSeverity.Warning,
  3: monaco.MarkerSeverity.Info,
  4: monaco.MarkerSeverity.Hint,
};

function toPosition(p: monaco.IPosition): { line: number; character: number } {
  return { line: p.lineNumber - 1, character: p.column - 1 };
}

function toRange(r: Range): monaco.IRange {
  return {
    startLineNumber: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLineNumber: r.end.line + 1,
    endColumn: r.end.character + 1,
  };
}

function markdown(content: MarkupContent | string | undefined): monaco.IMarkdownString | undefined {
  if (content === undefined) return undefined;
  return { value: typeof content === 'string' ? content : content.value };
}

function toLocation(l: Location): monaco.languages.Location {
  return { uri: monaco.Uri.parse(l.uri), range: toRange(l.range) };
}

function toSymbol(s: DocumentSymbol): monaco.languages.DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail ?? '',
    kind: symbolKinds[s.kind] ?? monaco.languages.SymbolKind.Variable,
    tags: [],
    range: toRange(s.range),
    selectionRange: toRange(s.selectionRange),
    children: (s.children ?? []).map(toSymbol),
  };
}

/** A problem of an open document, for the Problems panel. */
export interface Problem {
  readonly uri: monaco.Uri;
  readonly diagnostic: Diagnostic;
}

export class EditorLanguage {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private starts = 0;
  private stream: Disposable | undefined;
  private reportedUnavailable = false;
  private readonly models = new Map<
    string,
    { model: monaco.editor.ITextModel; listener: monaco.IDisposable }
  >();
  private readonly problemListeners = new Set<() => void>();

  constructor(
    private readonly api: ApiClient,
    /** Told when the server cannot be reached or fails a request, so nothing fails unseen. */
    private readonly onProblem: (title: string, error: Error) => void,
  ) {
    this.registerProviders();
  }

  /** Starts following a model: the server gets its text and every change. */
  open(model: monaco.editor.ITextModel): void {
    const uri = model.uri.toString();
    if (this.models.has(uri)) return;
    const listener = model.onDidChangeContent((event) => {
      const changes = event.isFlush
        ? [{ text: model.getValue() }]
        : event.changes.map((c) => ({
            range: {
              start: { line: c.range.startLineNumber - 1, character: c.range.startColumn - 1 },
              end: { line: c.range.endLineNumber - 1, character: c.range.endColumn - 1 },
            },
            text: c.text,
          }));
      // Without a running server the change is not queued: a starting server gets every
      // model's whole text (didOpen) once it is up, which includes this change.
      const client = this.live();
      if (client)
        client.notify('textDocument/didChange', {
          textDocument: { uri, version: model.getVersionId() },
          contentChanges: changes,
        });
      else this.ensureStarted();
    });
    this.models.set(uri, { model, listener });
    const client = this.live();
    if (client) this.sendOpen(client, model);
    else this.ensureStarted();
  }

  /** Stops following a model the editor is about to dispose. */
  close(model: monaco.editor.ITextModel): void {
    const uri = model.uri.toString();
    const entry = this.models.get(uri);
    if (!entry) return;
    entry.listener.dispose();
    this.models.delete(uri);
    this.client?.forget(uri);
    if (this.client && !this.client.closed)
      this.client.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** The problems of every open document, errors first. */
  problems(): Problem[] {
    const out: Problem[] = [];
    for (const published of this.client?.allDiagnostics() ?? [])
      if (this.models.has(published.uri))
        for (const diagnostic of published.diagnostics)
          out.push({ uri: monaco.Uri.parse(published.uri), diagnostic });
    return out.sort(
      (a, b) =>
        (a.diagnostic.severity ?? 1) - (b.diagnostic.severity ?? 1) ||
        a.uri.toString().localeCompare(b.uri.toString()) ||
        a.diagnostic.range.start.line - b.diagnostic.range.start.line,
    );
  }

  onDidChangeProblems(listener: () => void): Disposable {
    this.problemListeners.add(listener);
    return { dispose: () => this.problemListeners.delete(listener) };
  }

  /**
   * The errors of a model as it is now, as a build of this text would report them: waits (a
   * little) for the server's diagnostics of this version; undefined when they did not come.
   */
  async errorsOf(model: monaco.editor.ITextModel): Promise<Diagnostic[] | undefined> {
    const client = await this.ready();
    const uri = model.uri.toString();
    const current = (p: PublishedDiagnostics | undefined) =>
      p !== undefined && p.version === model.getVersionId();
    if (!current(client.diagnosticsOf(uri)))
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, DIAGNOSTICS_WAIT_MS);
        const subscription = client.onDidChangeDiagnostics((changed) => {
          if (changed === uri && current(client.diagnosticsOf(uri))) done();
        });
        function done() {
          clearTimeout(timer);
          subscription.dispose();
          resolve();
        }
      });
    const published = client.diagnosticsOf(uri);
    if (!current(published)) return undefined;
    return published!.diagnostics.filter((d) => (d.severity ?? 1) === 1);
  }

  // ── the server ──

  /** The server, when it is up. */
  private live(): LanguageClient | undefined {
    return this.client && !this.client.closed ? this.client : undefined;
  }

  /** Starts the server if it is not up or starting; says once if it cannot be. */
  private ensureStarted(): void {
    this.ready().catch((err: Error) => {
      if (this.reportedUnavailable) return;
      this.reportedUnavailable = true;
      this.onProblem('The language server is not available', err);
    });
  }

  private ready(): Promise<LanguageClient> {
    if (this.client && !this.client.closed) return Promise.resolve(this.client);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<LanguageClient> {
    if (this.starts >= MAX_SERVER_STARTS)
      throw new Error('the language server stopped too often; reload to try again');
    this.starts++;
    this.stream?.dispose();
    const { stream } = await this.api.call('lang.server', {});
    const client = new LanguageClient((text) => {
      this.api.call('stream.input', { stream, data: text }).catch(() => {});
    });
    this.stream = this.api.consume(stream, {
      onData: (data, shown) => {
        client.receive(data);
        shown();
      },
      onEnd: (reason) => client.close(reason),
    });
    client.onDidChangeDiagnostics((uri) => this.showDiagnostics(client, uri));
    // The studio installs one file at a time, so a file is a program of its own.
    await client.initialize({ programScope: 'document' });
    this.client = client;
    for (const { model } of this.models.values()) this.sendOpen(client, model);
    return client;
  }

  private sendOpen(client: LanguageClient, model: monaco.editor.ITextModel): void {
    if (model.isDisposed() || !this.models.has(model.uri.toString())) return;
    client.notify('textDocument/didOpen', {
      textDocument: {
        uri: model.uri.toString(),
        languageId: PHANTOM_LANGUAGE_ID,
        version: model.getVersionId(),
        text: model.getValue(),
      },
    });
  }

  private showDiagnostics(client: LanguageClient, uri: string): void {
    const model = this.models.get(uri)?.model;
    if (model && !model.isDisposed())
      monaco.editor.setModelMarkers(
        model,
        MARKER_OWNER,
        (client.diagnosticsOf(uri)?.diagnostics ?? []).map((d) => {
          const range = toRange(d.range);
          // An empty range (an error at the end of a line) would draw no squiggle.
          const empty = range.startLineNumber === range.endLineNumber && range.endColumn <= range.startColumn;
          return {
            ...range,
            ...(empty ? { endColumn: range.startColumn + 1 } : {}),
            severity: severities[d.severity ?? 1] ?? monaco.MarkerSeverity.Error,
            message: diagnosticText(d),
            ...(d.code !== undefined ? { code: String(d.code) } : {}),
            source: d.source,
          };
        }),
      );
    for (const listener of this.problemListeners) listener();
  }

  /** A request; its failures are the caller's (a refused rename carries the reason). */
  private async call<R>(method: string, params: object, token: monaco.CancellationToken): Promise<R | null> {
    const client = await this.ready();
    return client.request<R>(method, params, token);
  }

  /** A request whose failure is reported and answered as nothing (a cancelled one silently). */
  private async ask<R>(method: string, params: object, token: monaco.CancellationToken): Promise<R | null> {
    try {
      return await this.call<R>(method, params, token);
    } catch (err) {
      if (!token.isCancellationRequested)
        this.onProblem('The language server could not answer', err as Error);
      return null;
    }
  }

  private registerProviders(): void {
    const id = PHANTOM_LANGUAGE_ID;
    const at = (model: monaco.editor.ITextModel, position: monaco.Position) => ({
      textDocument: { uri: model.uri.toString() },
      position: toPosition(position),
    });
    monaco.languages.registerCompletionItemProvider(id, {
      triggerCharacters: ['.'],
      provideCompletionItems: async (model, position, _context, token) => {
        const list = await this.ask<CompletionList>('textDocument/completion', at(model, position), token);
        const word = model.getWordUntilPosition(position);
        const range = {
          startLineNumber: position.lineNumber,
          endLineNumber: position.lineNumber,
          startColumn: word.startColumn,
          endColumn: word.endColumn,
        };
        return {
          suggestions: (list?.items ?? []).map((item) => ({
            label: item.label,
            kind: completionKinds[item.kind ?? 0] ?? monaco.languages.CompletionItemKind.Text,
            ...(item.detail ? { detail: item.detail } : {}),
            ...(item.documentation ? { documentation: markdown(item.documentation) } : {}),
            insertText: item.insertText ?? item.label,
            ...(item.sortText ? { sortText: item.sortText } : {}),
            range,
          })),
        };
      },
    });
    monaco.languages.registerHoverProvider(id, {
      provideHover: async (model, position, token) => {
        const hover = await this.ask<Hover>('textDocument/hover', at(model, position), token);
        if (!hover) return null;
        const parts = Array.isArray(hover.contents) ? hover.contents : [hover.contents];
        return {
          contents: parts.map((c) => ({
            value:
              typeof c === 'string' ? c : 'kind' in c ? c.value : `\`\`\`${c.language}\n${c.value}\n\`\`\``,
          })),
          ...(hover.range ? { range: toRange(hover.range) } : {}),
        };
      },
    });
    monaco.languages.registerDefinitionProvider(id, {
      provideDefinition: async (model, position, token) => {
        const location = await this.ask<Location | null>(
          'textDocument/definition',
          at(model, position),
          token,
        );
        return location ? toLocation(location) : null;
      },
    });
    monaco.languages.registerReferenceProvider(id, {
      provideReferences: async (model, position, context, token) => {
        const locations = await this.ask<Location[]>(
          'textDocument/references',
          { ...at(model, position), context: { includeDeclaration: context.includeDeclaration } },
          token,
        );
        return (locations ?? []).map(toLocation);
      },
    });
    monaco.languages.registerRenameProvider(id, {
      resolveRenameLocation: async (model, position, token) => {
        try {
          const answer = await this.call<{ range: Range; placeholder: string }>(
            'textDocument/prepareRename',
            at(model, position),
            token,
          );
          if (!answer)
            return { range: new monaco.Range(1, 1, 1, 1), text: '', rejectReason: 'Nothing to rename here.' };
          return { range: toRange(answer.range), text: answer.placeholder };
        } catch (err) {
          return { range: new monaco.Range(1, 1, 1, 1), text: '', rejectReason: (err as Error).message };
        }
      },
      provideRenameEdits: async (model, position, newName, token) => {
        try {
          const edit = await this.call<WorkspaceEdit>(
            'textDocument/rename',
            { ...at(model, position), newName },
            token,
          );
          const edits: monaco.languages.IWorkspaceTextEdit[] = [];
          for (const [uri, changes] of Object.entries(edit?.changes ?? {}))
            for (const change of changes)
              edits.push({
                resource: monaco.Uri.parse(uri),
                textEdit: { range: toRange(change.range), text: change.newText },
                versionId: undefined,
              });
          return { edits };
        } catch (err) {
          return { edits: [], rejectReason: (err as Error).message };
        }
      },
    });
    monaco.languages.registerDocumentSymbolProvider(id, {
      displayName: 'Phantom',
      provideDocumentSymbols: async (model, token) => {
        const symbols = await this.ask<DocumentSymbol[]>(
          'textDocument/documentSymbol',
          { textDocument: { uri: model.uri.toString() } },
          token,
        );
        return (symbols ?? []).map(toSymbol);
      },
    });
  }
}
