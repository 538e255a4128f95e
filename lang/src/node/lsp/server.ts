/**
 * The Phantom language server (`phc lsp --stdio`, and the studio's editor through a worker):
 * vscode-languageserver's connection with lang's language service behind it. It keeps the open
 * documents, publishes their diagnostics a moment after each change, and answers completion,
 * hover, definition, references, rename and document symbols from a DocumentAnalysis of the
 * document's program (common/language-service.ts), cached per version.
 *
 * It expects anything from its peer: parameters are checked before use (a bad request gets
 * InvalidParams, a bad notification a logged warning), documents past MAX_DOCUMENT_CHARS are
 * kept but not analysed, and at most MAX_OPEN_DOCUMENTS are held. Positions are UTF-16, the
 * protocol's default and the compiler's own way of counting columns.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type CompletionItem,
  CompletionItemKind,
  type Connection,
  createConnection,
  type Diagnostic,
  DiagnosticSeverity,
  type DocumentSymbol,
  ErrorCodes,
  type InitializeResult,
  type Location,
  LSPErrorCodes,
  type MessageReader,
  type MessageWriter,
  type Range,
  ResponseError,
  SymbolKind,
  type TextDocumentContentChangeEvent,
  TextDocumentSyncKind,
  type TextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { SourceInput } from '../../common/compiler.js';
import { PHANTOM_LANGUAGE_ID } from '../../common/editor/monarch.js';
import {
  type CompletionKind,
  DocumentAnalysis,
  type OutlineKind,
  type OutlineSymbol,
  type SourceRange,
} from '../../common/language-service.js';
import { PRELUDE_FILE_PREFIX } from '../../common/parser.js';

/** Larger documents are kept in step but not analysed: 20 times the largest program we know of. */
export const MAX_DOCUMENT_CHARS = 1_000_000;
/** Open documents held at once; a client opening more gets a warning and the newest is not kept. */
export const MAX_OPEN_DOCUMENTS = 500;
/** Sibling files read from disk for one program (folder scope). */
export const MAX_FOLDER_FILES = 200;
/** Typing pauses this long before the diagnostics of the changed program are published. */
export const DIAGNOSTICS_DELAY_MS = 150;

/** Which files make a document's program. */
export enum ProgramScope {
  /** The document alone: the studio installs one file at a time. */
  Document = 'document',
  /** The document with the other `.ph` files of its folder, open or on disk (a `file:` URI's). */
  Folder = 'folder',
}

export interface ServerTransport {
  readonly reader: MessageReader;
  readonly writer: MessageWriter;
}

function invalidParams(what: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, what);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x7fffffff;
}

function uriOf(params: unknown): string {
  if (!isObject(params) || !isObject(params.textDocument) || typeof params.textDocument.uri !== 'string')
    throw invalidParams('textDocument.uri is missing');
  return params.textDocument.uri;
}

/** The 1-based line and column of a request's 0-based position. */
function positionOf(params: unknown): { uri: string; line: number; column: number } {
  const uri = uriOf(params);
  const position = (params as Record<string, unknown>).position;
  if (!isObject(position) || !isCount(position.line) || !isCount(position.character))
    throw invalidParams('position must be {line, character} with integers from 0');
  return { uri, line: position.line + 1, column: position.character + 1 };
}

function rangeOf(r: SourceRange): Range {
  return {
    start: { line: r.line - 1, character: r.column - 1 },
    end: { line: r.endLine - 1, character: r.endColumn - 1 },
  };
}

function isRange(v: unknown): v is Range {
  const point = (p: unknown) => isObject(p) && isCount(p.line) && isCount(p.character);
  return isObject(v) && point(v.start) && point(v.end);
}

const completionKinds: Record<CompletionKind, CompletionItemKind> = {
  class: CompletionItemKind.Class,
  package: CompletionItemKind.Module,
  field: CompletionItemKind.Field,
  method: CompletionItemKind.Method,
  variable: CompletionItemKind.Variable,
  keyword: CompletionItemKind.Keyword,
};

const symbolKinds: Record<OutlineKind, SymbolKind> = {
  class: SymbolKind.Class,
  field: SymbolKind.Field,
  method: SymbolKind.Method,
  constructor: SymbolKind.Constructor,
};

function documentSymbol(s: OutlineSymbol): DocumentSymbol {
  return {
    name: s.name,
    kind: symbolKinds[s.kind],
    detail: s.detail,
    range: rangeOf(s.range),
    selectionRange: rangeOf(s.selection),
    children: s.children.map(documentSymbol),
  };
}

/** The folder part of a URI, by which folder scope groups documents. */
function folderOf(uri: string): string {
  return uri.slice(0, uri.lastIndexOf('/') + 1);
}

interface CachedFile {
  readonly mtimeMs: number;
  readonly size: number;
  readonly text: string;
}

/** A file of a program with what tells its versions apart. */
interface ProgramFile extends SourceInput {
  readonly stamp: string;
}

/** The `.ph` files of a `file:` folder on disk, read again only when they change. */
class FolderFiles {
  private readonly cache = new Map<string, CachedFile>();

  read(folderUri: string): ProgramFile[] {
    if (!folderUri.startsWith('file:')) return [];
    let dir: string;
    let names: string[];
    try {
      dir = fileURLToPath(folderUri);
      names = readdirSync(dir).filter((n) => n.endsWith('.ph'));
    } catch {
      return [];
    }
    const out: ProgramFile[] = [];
    for (const name of names.sort().slice(0, MAX_FOLDER_FILES)) {
      const path = join(dir, name);
      try {
        const stat = statSync(path);
        if (!stat.isFile() || stat.size > MAX_DOCUMENT_CHARS * 4) continue;
        let cached = this.cache.get(path);
        if (cached === undefined || cached.mtimeMs !== stat.mtimeMs || cached.size !== stat.size) {
          cached = { mtimeMs: stat.mtimeMs, size: stat.size, text: readFileSync(path, 'utf8') };
          this.cache.set(path, cached);
        }
        if (cached.text.length <= MAX_DOCUMENT_CHARS)
          out.push({
            file: pathToFileURL(path).href,
            text: cached.text,
            stamp: `${stat.mtimeMs}:${stat.size}`,
          });
      } catch {
        // A file that vanished or cannot be read is simply not part of the program.
      }
    }
    return out;
  }
}

/**
 * Starts a server on a transport; it runs until the peer sends `exit` (which ends the process
 * or worker, as vscode-languageserver does) or the transport closes.
 */
export function startLanguageServer(transport: ServerTransport): Connection {
  const connection = createConnection(transport.reader, transport.writer);
  const documents = new Map<string, TextDocument>();
  const folderFiles = new FolderFiles();
  const analyses = new Map<string, { key: string; analysis: DocumentAnalysis }>();
  const pending = new Set<string>();
  let scope = ProgramScope.Folder;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** The other files of a document's program: open documents win over their copies on disk. */
  const project = (uri: string): ProgramFile[] => {
    if (scope === ProgramScope.Document) return [];
    const folder = folderOf(uri);
    const files = new Map<string, ProgramFile>();
    for (const f of folderFiles.read(folder)) files.set(f.file, f);
    for (const [other, doc] of documents)
      if (folderOf(other) === folder && doc.getText().length <= MAX_DOCUMENT_CHARS)
        files.set(other, { file: other, text: doc.getText(), stamp: `open ${doc.version}` });
    files.delete(uri);
    return [...files.values()];
  };

  const analysisOf = (uri: string): DocumentAnalysis | undefined => {
    const doc = documents.get(uri);
    if (doc === undefined || doc.getText().length > MAX_DOCUMENT_CHARS) return undefined;
    const others = project(uri);
    const key = [doc.version, ...others.map((o) => `${o.file} ${o.stamp}`)].join('\n');
    const cached = analyses.get(uri);
    if (cached?.key === key) return cached.analysis;
    const analysis = new DocumentAnalysis(uri, doc.getText(), others);
    analyses.set(uri, { key, analysis });
    return analysis;
  };

  const publish = (uri: string): void => {
    const doc = documents.get(uri);
    if (doc === undefined) return;
    let diagnostics: Diagnostic[];
    const length = doc.getText().length;
    if (length > MAX_DOCUMENT_CHARS) {
      diagnostics = [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Warning,
          source: 'phc',
          message: `This document is too large to check (${length} characters; the language server checks up to ${MAX_DOCUMENT_CHARS}).`,
        },
      ];
    } else {
      diagnostics = (analysisOf(uri)?.diagnostics ?? []).map((d) => ({
        range: rangeOf(d),
        severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
        code: d.code,
        source: 'phc',
        message: d.message,
      }));
    }
    void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
  };

  /** After a change, the diagnostics of every document whose program it is part of. */
  const changed = (uri: string): void => {
    if (scope === ProgramScope.Document) pending.add(uri);
    else for (const other of documents.keys()) if (folderOf(other) === folderOf(uri)) pending.add(other);
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const p of [...pending]) {
        pending.delete(p);
        publish(p);
      }
    }, DIAGNOSTICS_DELAY_MS);
  };

  const warn = (what: string) => connection.console.warn(`phc lsp: ignored ${what}`);

  connection.onInitialize((params): InitializeResult => {
    const options = isObject(params) ? params.initializationOptions : undefined;
    if (isObject(options) && options.programScope !== undefined) {
      if (!Object.values(ProgramScope).includes(options.programScope as ProgramScope))
        throw invalidParams(`initializationOptions.programScope is "document" or "folder"`);
      scope = options.programScope as ProgramScope;
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ['.'] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
      },
      serverInfo: { name: 'phc lsp' },
    };
  });

  connection.onDidOpenTextDocument((params) => {
    const td = isObject(params) && isObject(params.textDocument) ? params.textDocument : undefined;
    if (
      td === undefined ||
      typeof td.uri !== 'string' ||
      typeof td.text !== 'string' ||
      !Number.isInteger(td.version)
    )
      return warn('a didOpen without textDocument {uri, version, text}');
    if (!documents.has(td.uri) && documents.size >= MAX_OPEN_DOCUMENTS)
      return warn(`didOpen of ${td.uri}: ${MAX_OPEN_DOCUMENTS} documents are open already`);
    const languageId = typeof td.languageId === 'string' ? td.languageId : PHANTOM_LANGUAGE_ID;
    documents.set(td.uri, TextDocument.create(td.uri, languageId, td.version, td.text));
    changed(td.uri);
  });

  connection.onDidChangeTextDocument((params) => {
    const td = isObject(params) && isObject(params.textDocument) ? params.textDocument : undefined;
    const doc = typeof td?.uri === 'string' ? documents.get(td.uri) : undefined;
    if (td === undefined || doc === undefined) return warn('a didChange of a document that is not open');
    const changes: unknown = params.contentChanges;
    const valid =
      Array.isArray(changes) &&
      Number.isInteger(td.version) &&
      changes.every(
        (c) => isObject(c) && typeof c.text === 'string' && (c.range === undefined || isRange(c.range)),
      );
    if (!valid) return warn(`a didChange of ${doc.uri} without a version and {text, range?} changes`);
    const updated = TextDocument.update(
      doc,
      changes as TextDocumentContentChangeEvent[],
      td.version as number,
    );
    documents.set(doc.uri, updated);
    changed(doc.uri);
  });

  connection.onDidCloseTextDocument((params) => {
    const uri = isObject(params) && isObject(params.textDocument) ? params.textDocument.uri : undefined;
    if (typeof uri !== 'string' || !documents.delete(uri))
      return warn('a didClose of a document that is not open');
    analyses.delete(uri);
    pending.delete(uri);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
    if (scope === ProgramScope.Folder) changed(uri);
  });

  connection.onCompletion((params) => {
    const { uri, line, column } = positionOf(params);
    const items: CompletionItem[] =
      analysisOf(uri)
        ?.completions(line, column)
        .map((e) => ({
          label: e.label,
          kind: completionKinds[e.kind],
          ...(e.detail ? { detail: e.detail } : {}),
          ...(e.documentation ? { documentation: { kind: 'markdown', value: e.documentation } } : {}),
          ...(e.insertText ? { insertText: e.insertText } : {}),
          sortText: e.sortText,
        })) ?? [];
    return { isIncomplete: false, items };
  });

  connection.onHover((params) => {
    const { uri, line, column } = positionOf(params);
    const hover = analysisOf(uri)?.hover(line, column);
    if (!hover) return null;
    return {
      contents: { kind: 'markdown', value: `\`\`\`phantom\n${hover.code}\n\`\`\`\n\n${hover.documentation}` },
      range: rangeOf(hover.range),
    };
  });

  connection.onDefinition((params): Location | null => {
    const { uri, line, column } = positionOf(params);
    const target = analysisOf(uri)?.definition(line, column);
    // The system classes have no file a client could open; hover shows their documentation.
    if (!target || target.file.startsWith(PRELUDE_FILE_PREFIX)) return null;
    return { uri: target.file, range: rangeOf(target) };
  });

  connection.onReferences((params): Location[] => {
    const { uri, line, column } = positionOf(params);
    const context = (params as { context?: unknown }).context;
    const includeDeclaration = isObject(context) && context.includeDeclaration === true;
    return (analysisOf(uri)?.references(line, column, includeDeclaration) ?? []).map((r) => ({
      uri: r.file,
      range: rangeOf(r),
    }));
  });

  connection.onPrepareRename((params) => {
    const { uri, line, column } = positionOf(params);
    const analysis = analysisOf(uri);
    if (analysis === undefined) return null;
    const answer = analysis.prepareRename(line, column);
    if ('refused' in answer) throw new ResponseError(LSPErrorCodes.RequestFailed, answer.refused);
    return { range: rangeOf(answer.range), placeholder: answer.placeholder };
  });

  connection.onRenameRequest((params) => {
    const { uri, line, column } = positionOf(params);
    const newName: unknown = (params as { newName?: unknown }).newName;
    if (typeof newName !== 'string') throw invalidParams('newName must be a string');
    const analysis = analysisOf(uri);
    if (analysis === undefined) return null;
    const answer = analysis.rename(line, column, newName);
    if ('refused' in answer) throw new ResponseError(LSPErrorCodes.RequestFailed, answer.refused);
    const changes: Record<string, TextEdit[]> = {};
    for (const e of answer.edits) {
      changes[e.file] ??= [];
      changes[e.file]!.push({ range: rangeOf(e), newText: newName });
    }
    return { changes };
  });

  connection.onDocumentSymbol((params): DocumentSymbol[] => {
    const uri = uriOf(params);
    return (analysisOf(uri)?.outline() ?? []).map(documentSymbol);
  });

  connection.onShutdown(() => clearTimeout(timer));
  connection.listen();
  return connection;
}
