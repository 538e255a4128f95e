// `phc lsp --stdio` driven as an editor drives it: the real bin script in a child process, JSON-RPC
// with Content-Length framing on its pipes. An editing session (initialize, didOpen, diagnostics,
// completion on a member access, hover, definition, references, rename, document symbols, a fix
// clearing the diagnostics, shutdown and exit); a program spread over a folder; and hostile input
// — malformed frames, unknown methods, bad parameters, huge and invalid documents, a fuzz of the
// framing — after each of which the server still answers.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  CompletionList,
  DocumentSymbol,
  Hover,
  InitializeResult,
  Location,
  LogMessageParams,
  MarkupContent,
  PrepareRenameResult,
  PublishDiagnosticsParams,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { encodeFrame, FrameDecoder } from '../../common/lsp/framing.js';
import { seededRandom } from '../../common/seeded-random.js';
import { MAX_DOCUMENT_CHARS } from './server.js';

const phc = fileURLToPath(new URL('../../../bin/phc.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'phc-lsp-test-'));
/** Servers still running when the tests end (a failed test does not stop its own). */
const servers = new Set<ChildProcessWithoutNullStreams>();
after(() => {
  for (const child of servers) child.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Generous: the machine running the tests is shared and may be loaded. */
const ANSWER_MS = 20_000;

interface Message {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/** The editor's side: frames out, frames in, requests matched to responses by id. */
class Editor {
  readonly child: ChildProcessWithoutNullStreams;
  readonly received: Message[] = [];
  private readonly decoder = new FrameDecoder();
  private readonly waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  private nextId = 1;
  stderr = '';

  constructor() {
    this.child = spawn(process.execPath, [phc, 'lsp', '--stdio']);
    servers.add(this.child);
    this.child.on('exit', () => servers.delete(this.child));
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      for (const event of this.decoder.push(chunk)) {
        assert.ok('body' in event, `the server wrote a broken frame: ${JSON.stringify(event)}`);
        const message = JSON.parse(event.body) as Message;
        this.received.push(message);
        for (const w of [...this.waiters])
          if (w.match(message)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(message);
          }
      }
    });
  }

  write(bytes: Uint8Array | string): void {
    this.child.stdin.write(bytes);
  }

  send(message: object): void {
    this.write(encodeFrame(JSON.stringify({ jsonrpc: '2.0', ...message })));
  }

  /** The first message (already received or to come) that matches. */
  waitFor(match: (m: Message) => boolean, what: string): Promise<Message> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${what} within ${ANSWER_MS} ms; stderr: ${this.stderr}`)),
        ANSWER_MS,
      );
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  async request(method: string, params: unknown): Promise<Message> {
    const id = this.nextId++;
    this.send({ id, method, params });
    return this.waitFor((m) => m.id === id && m.method === undefined, `answer to ${method} #${id}`);
  }

  /** The result of a request that must succeed, as the protocol types it. */
  async result<T>(method: string, params: unknown): Promise<T> {
    const reply = await this.request(method, params);
    assert.equal(reply.error, undefined, `${method}: ${JSON.stringify(reply.error)}`);
    return reply.result as T;
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  async diagnostics(uri: string, version: number): Promise<PublishDiagnosticsParams> {
    const isThem = (m: Message) => {
      const p = m.params as PublishDiagnosticsParams | undefined;
      return m.method === 'textDocument/publishDiagnostics' && p?.uri === uri && p.version === version;
    };
    return (await this.waitFor(isThem, `diagnostics of ${uri} v${version}`))
      .params as PublishDiagnosticsParams;
  }

  async initialize(initializationOptions?: object): Promise<InitializeResult> {
    const result = await this.result<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      ...(initializationOptions ? { initializationOptions } : {}),
    });
    this.notify('initialized', {});
    return result;
  }

  /** Shutdown, exit, and the exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.on('exit', resolve));
    await this.result('shutdown', null);
    this.notify('exit', null);
    return exited;
  }

  /** Whether the server still answers a request (a document symbol request on a closed document). */
  async alive(): Promise<void> {
    const result = await this.result<DocumentSymbol[]>('textDocument/documentSymbol', {
      textDocument: { uri: 'file:///nowhere.ph' },
    });
    assert.deepEqual(result, []);
  }
}

const counter = `package .demo;

import .internal.io.tty;
import .internal.time;

// Counts for ever, one tick a tenth of a second.
class counter {
  var count : int;
  var label : string = "tick ";

  void run() {
    while (true) {
      count++;
      tty.println(label + count);
      time.sleep(delay);
    }
  }
};
`;

/** The 0-based position just after `needle` (or `back` characters before that). */
function at(text: string, needle: string, back = 0): { line: number; character: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, needle);
  return { line, character: lines[line]!.indexOf(needle) + needle.length - back };
}

test('an editing session: diagnostics, completion, hover, definition, references, rename, symbols, a fix', async () => {
  const editor = new Editor();
  const init = await editor.initialize();
  assert.deepEqual(init.capabilities.textDocumentSync, { openClose: true, change: 2 }, 'incremental sync');
  assert.deepEqual(init.capabilities.completionProvider?.triggerCharacters, ['.']);
  const uri = pathToFileURL(join(dir, 'counter.ph')).href;
  const textDocument = { uri };
  editor.notify('textDocument/didOpen', {
    textDocument: { uri, languageId: 'phantom', version: 1, text: counter },
  });
  const first = await editor.diagnostics(uri, 1);
  assert.deepEqual(
    first.diagnostics.map((d) => [d.code, d.message, d.range.start, d.severity]),
    [['PH341', "unknown name 'delay'", at(counter, 'time.sleep('), 1]],
  );

  // Typing `tty.` on a new line: the members of .internal.io.tty.
  const typed = counter.replace('      count++;\n', '      count++;\n      tty.\n');
  editor.notify('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [
      { range: { start: { line: 13, character: 0 }, end: { line: 13, character: 0 } }, text: '      tty.\n' },
    ],
  });
  const completion = await editor.result<CompletionList>('textDocument/completion', {
    textDocument,
    position: at(typed, '      tty.'),
    context: { triggerKind: 2, triggerCharacter: '.' },
  });
  assert.deepEqual(
    completion.items.map((i) => i.label),
    ['print', 'println'],
  );
  assert.equal(
    (completion.items[1]!.documentation as MarkupContent).value,
    'Write the string and a newline.',
  );
  const onString = await editor.result<CompletionList>('textDocument/completion', {
    textDocument,
    position: at(typed, 'println(label'),
  });
  assert.ok(
    onString.items.some((i) => i.label === 'label' && i.kind === 5),
    'a field, by name',
  );
  editor.notify('textDocument/didChange', {
    textDocument: { uri, version: 3 },
    contentChanges: [{ text: counter }],
  });

  const hover = await editor.result<Hover>('textDocument/hover', {
    textDocument,
    position: at(counter, 'time.sl'),
  });
  const shown = (hover.contents as MarkupContent).value;
  assert.match(shown, /static native void sleep\(milliseconds : int\)/);
  assert.match(shown, /milliseconds of machine time/);

  const definition = await editor.result<Location>('textDocument/definition', {
    textDocument,
    position: at(counter, 'println(lab'),
  });
  assert.deepEqual(definition, {
    uri,
    range: { start: { line: 8, character: 6 }, end: { line: 8, character: 11 } },
  });
  const system = await editor.result<Location | null>('textDocument/definition', {
    textDocument,
    position: at(counter, 'tty.pr'),
  });
  assert.equal(system, null, 'a system method has no file to open');

  const references = await editor.result<Location[]>('textDocument/references', {
    textDocument,
    position: at(counter, 'var cou'),
    context: { includeDeclaration: true },
  });
  assert.deepEqual(
    references.map((r) => r.range.start.line),
    [7, 12, 13],
  );

  const prepared = await editor.result<PrepareRenameResult & { placeholder: string }>(
    'textDocument/prepareRename',
    {
      textDocument,
      position: at(counter, 'count++', 3),
    },
  );
  assert.equal(prepared.placeholder, 'count');
  const rename = await editor.result<WorkspaceEdit>('textDocument/rename', {
    textDocument,
    position: at(counter, 'count++', 3),
    newName: 'ticks',
  });
  assert.deepEqual(
    rename.changes?.[uri]?.map((e) => [e.range.start.line, e.range.start.character, e.newText]),
    [
      [7, 6, 'ticks'],
      [12, 6, 'ticks'],
      [13, 26, 'ticks'],
    ],
  );
  const refused = await editor.request('textDocument/rename', {
    textDocument,
    position: at(counter, 'tty.pr'),
    newName: 'say',
  });
  assert.equal(refused.error?.code, -32803);
  assert.match(refused.error?.message ?? '', /system classes/);

  const symbols = await editor.result<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument });
  assert.deepEqual(
    symbols.map((s) => [s.name, s.kind, s.children?.map((c) => `${c.kind} ${c.name}`)]),
    [['counter', 5, ['8 count', '8 label', '6 run']]],
  );

  // The fix: the diagnostics of the new version are empty.
  const fixed = counter.replace('sleep(delay)', 'sleep(100)');
  editor.notify('textDocument/didChange', {
    textDocument: { uri, version: 4 },
    contentChanges: [{ text: fixed }],
  });
  assert.deepEqual((await editor.diagnostics(uri, 4)).diagnostics, []);
  editor.notify('textDocument/didClose', { textDocument });
  assert.equal(await editor.stop(), 0);
});

test('folder scope: the other .ph files of the folder are part of the program, open or not', async () => {
  const folder = mkdtempSync(join(dir, 'folder-'));
  const lib = 'package .demo;\nclass helper {\n  static int twice(var n : int) { return n * 2; }\n};\n';
  writeFileSync(join(folder, 'helper.ph'), lib);
  const main = 'package .demo;\nclass main {\n  int f() { return helper.twice(2); }\n};\n';
  const uri = pathToFileURL(join(folder, 'main.ph')).href;
  const editor = new Editor();
  await editor.initialize();
  editor.notify('textDocument/didOpen', {
    textDocument: { uri, languageId: 'phantom', version: 1, text: main },
  });
  assert.deepEqual((await editor.diagnostics(uri, 1)).diagnostics, []);
  const definition = await editor.result<Location>('textDocument/definition', {
    textDocument: { uri },
    position: at(main, 'helper.tw'),
  });
  assert.equal(definition.uri, pathToFileURL(join(folder, 'helper.ph')).href);
  assert.equal(definition.range.start.line, 2);
  const completion = await editor.result<CompletionList>('textDocument/completion', {
    textDocument: { uri },
    position: at(main, 'helper.'),
  });
  assert.deepEqual(
    completion.items.map((i) => i.label),
    ['twice'],
  );
  await editor.stop();

  // The studio's scope: one file is one program.
  const alone = new Editor();
  await alone.initialize({ programScope: 'document' });
  alone.notify('textDocument/didOpen', {
    textDocument: { uri, languageId: 'phantom', version: 1, text: main },
  });
  const diagnostics = (await alone.diagnostics(uri, 1)).diagnostics;
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    ['PH341'],
  );
  const badScope = await alone.request('initialize', {
    processId: null,
    rootUri: null,
    capabilities: {},
    initializationOptions: { programScope: 'world' },
  });
  assert.ok(badScope.error, 'an unknown scope is refused');
  await alone.stop();
});

test('hostile input: each broken frame or message gets its error and the server goes on', async () => {
  const editor = new Editor();
  await editor.initialize();
  const errorReplies = () => editor.received.filter((m) => m.error !== undefined);
  const cases: [string, string | Uint8Array, number][] = [
    ['no Content-Length', 'Content-Type: application/json\r\n\r\n{}', -32700],
    ['a length that is no number', 'Content-Length: lots\r\n\r\n', -32700],
    ['a body that is not JSON', encodeFrame('{"jsonrpc": "2.0", "id": 1, "method": '), -32700],
    [
      'a body that is not UTF-8',
      new Uint8Array([...new TextEncoder().encode('Content-Length: 3\r\n\r\n'), 0xff, 0xfe, 0x7b]),
      -32700,
    ],
    ['a batch', encodeFrame('[{"jsonrpc":"2.0","id":5,"method":"shutdown"}]'), -32600],
    ['not JSON-RPC 2.0', encodeFrame('{"id":6,"method":"initialize"}'), -32600],
    ['an HTTP request', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', -32700],
  ];
  for (const [what, frame, code] of cases) {
    const before = errorReplies().length;
    editor.write(frame);
    editor.write('\r\n');
    await editor.waitFor(() => errorReplies().length > before, `the error for ${what}`);
    const error = errorReplies().at(-1)!.error!;
    assert.equal(error.code, code, what);
    await editor.alive();
  }
  // A length past the limit: the body is skipped without being held, and the server goes on.
  editor.write(`Content-Length: ${64 * 1024 * 1024}\r\n\r\n`);
  editor.write(new Uint8Array(256 * 1024).fill(0x20));
  editor.write('\n');
  await editor.alive();

  const unknown = await editor.request('phantom/frobnicate', {});
  assert.equal(unknown.error?.code, -32601, 'an unknown request');
  editor.notify('phantom/frobnicated', {});
  const noPosition = await editor.request('textDocument/completion', {
    textDocument: { uri: 'file:///a.ph' },
  });
  assert.equal(noPosition.error?.code, -32602, 'a completion without a position');
  const badPosition = await editor.request('textDocument/hover', {
    textDocument: { uri: 'file:///a.ph' },
    position: { line: -1, character: 'x' },
  });
  assert.equal(badPosition.error?.code, -32602);
  const noName = await editor.request('textDocument/rename', {
    textDocument: { uri: 'file:///a.ph' },
    position: { line: 0, character: 0 },
  });
  assert.equal(noName.error?.code, -32602);
  editor.notify('textDocument/didOpen', { textDocument: { uri: 7 } });
  editor.notify('textDocument/didChange', {
    textDocument: { uri: 'file:///never-opened.ph', version: 2 },
    contentChanges: [],
  });
  const warning = await editor.waitFor(
    (m) =>
      m.method === 'window/logMessage' &&
      /never-opened|not open/.test(String((m.params as LogMessageParams).message)),
    'a warning',
  );
  assert.equal((warning.params as LogMessageParams).type, 2);

  // Documents: past the size limit, binary junk, positions far outside the text.
  const huge = `package .demo;\nclass big {\n${'  var x : int;\n'.repeat(Math.ceil(MAX_DOCUMENT_CHARS / 15))}};\n`;
  const hugeUri = 'file:///tmp/huge.ph';
  editor.notify('textDocument/didOpen', {
    textDocument: { uri: hugeUri, languageId: 'phantom', version: 1, text: huge },
  });
  const tooLarge = await editor.diagnostics(hugeUri, 1);
  assert.match(String(tooLarge.diagnostics[0]?.message), /too large to check/);
  assert.deepEqual(
    (
      await editor.result<CompletionList>('textDocument/completion', {
        textDocument: { uri: hugeUri },
        position: { line: 2, character: 3 },
      })
    ).items,
    [],
  );
  const junk = Array.from({ length: 20_000 }, (_, i) => String.fromCharCode((i * 7919) % 0xd7ff)).join('');
  const junkUri = 'file:///tmp/junk.ph';
  editor.notify('textDocument/didOpen', {
    textDocument: { uri: junkUri, languageId: 'phantom', version: 1, text: junk },
  });
  const junkDiagnostics = (await editor.diagnostics(junkUri, 1)).diagnostics;
  assert.ok(
    junkDiagnostics.length > 0 && junkDiagnostics.length <= 101,
    `${junkDiagnostics.length} diagnostics`,
  );
  for (const method of [
    'textDocument/completion',
    'textDocument/hover',
    'textDocument/definition',
    'textDocument/references',
  ])
    await editor.result(method, {
      textDocument: { uri: junkUri },
      position: { line: 100_000, character: 100_000 },
      context: {},
    });
  editor.notify('textDocument/didChange', {
    textDocument: { uri: junkUri, version: 2 },
    contentChanges: [
      { range: { start: { line: 99, character: 5 }, end: { line: 0, character: 0 } }, text: 'x' },
    ],
  });
  await editor.diagnostics(junkUri, 2);
  assert.equal(await editor.stop(), 0);
});

test('fuzz: 300 damaged frames; after each the server answers the next good request', async () => {
  const seed = Number(process.env.PHANTOM_FUZZ_SEED ?? 7);
  const random = seededRandom(seed);
  const editor = new Editor();
  await editor.initialize();
  const uri = 'file:///tmp/fuzz.ph';
  editor.notify('textDocument/didOpen', {
    textDocument: { uri, languageId: 'phantom', version: 1, text: counter },
  });
  const good = [
    {
      jsonrpc: '2.0',
      id: 'x',
      method: 'textDocument/completion',
      params: { textDocument: { uri }, position: { line: 13, character: 10 } },
    },
    {
      jsonrpc: '2.0',
      method: 'textDocument/didChange',
      params: { textDocument: { uri, version: 9 }, contentChanges: [{ text: 'class a {' }] },
    },
    {
      jsonrpc: '2.0',
      id: 'y',
      method: 'textDocument/hover',
      params: { textDocument: { uri }, position: { line: 3, character: 9 } },
    },
  ];
  for (let round = 0; round < 300; round++) {
    const frame = [...encodeFrame(JSON.stringify(good[round % good.length]))];
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const i = Math.floor(random() * (frame.length + 1));
      const r = random();
      if (r < 0.4) frame[i] = Math.floor(random() * 256);
      else if (r < 0.7) frame.splice(i, 1);
      else frame.splice(i, 0, Math.floor(random() * 256));
    }
    const damaged = Uint8Array.from(frame);
    const declared = [...new TextDecoder().decode(damaged).matchAll(/content-length:\s*(\d{1,7})/gi)];
    editor.write(damaged);
    // Past any length the damaged header still declares, then a fresh line.
    editor.write(new Uint8Array(Math.max(0, ...declared.map((m) => Number(m[1]))) + 2).fill(10));
    const reply = await editor.request('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(reply.error, undefined, `seed ${seed} round ${round}`);
  }
  for (const m of editor.received.filter((x) => x.error && x.id === null))
    assert.ok([-32700, -32600].includes(m.error!.code), JSON.stringify(m));
  assert.ok(
    editor.received.filter((x) => x.error && x.id === null).length > 50,
    'the damage was reported, not silently dropped',
  );
  assert.equal(await editor.stop(), 0);
});
