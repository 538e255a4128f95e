// The language server as the host runs it: lang's server in a worker thread from its bundle
// (shell/build.mjs), relayed a message a line, through the stream hub as a renderer sees it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamMessage } from '../common/api.js';
import { LanguageServer } from './language-server.js';
import { StreamHub } from './stream-hub.js';

/** Generous: the worker compiles a 400 KB bundle on a shared machine. */
const DEADLINE_MS = 30_000;

/** Waits until the messages of the stream so far, parsed, satisfy `predicate`. */
function collect(messages: StreamMessage[]) {
  return (predicate: (lines: Record<string, unknown>[]) => boolean) =>
    new Promise<Record<string, unknown>[]>((resolve, reject) => {
      const deadline = Date.now() + DEADLINE_MS;
      const poll = () => {
        const lines = messages
          .flatMap((m) => ('data' in m ? m.data.split('\n') : []))
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        if (predicate(lines)) resolve(lines);
        else if (Date.now() > deadline)
          reject(new Error(`not within ${DEADLINE_MS} ms: ${JSON.stringify(lines)}`));
        else setTimeout(poll, 20);
      };
      poll();
    });
}

test('the worker answers through the stream: diagnostics, errors for broken messages, and an end', async () => {
  const messages: StreamMessage[] = [];
  const hub = new StreamHub((m) => messages.push(m));
  const server = new LanguageServer();
  const stream = hub.open(server);
  const until = collect(messages);
  const send = (message: object) => hub.source(stream).write!(JSON.stringify({ jsonrpc: '2.0', ...message }));
  send({
    id: 1,
    method: 'initialize',
    params: {
      processId: null,
      rootUri: null,
      capabilities: {},
      initializationOptions: { programScope: 'document' },
    },
  });
  send({ method: 'initialized', params: {} });
  const uri = 'phantom:/project/demo.ph';
  send({
    method: 'textDocument/didOpen',
    params: {
      textDocument: {
        uri,
        languageId: 'phantom',
        version: 7,
        text: 'class demo {\n  void run() { x = 1; }\n};\n',
      },
    },
  });
  hub.source(stream).write!('{"jsonrpc": "2.0", "id": 2, "method"');
  const lines = await until(
    (l) => l.some((m) => m.method === 'textDocument/publishDiagnostics') && l.some((m) => m.id === null),
  );
  const published = lines.find((m) => m.method === 'textDocument/publishDiagnostics')!.params as {
    uri: string;
    version: number;
    diagnostics: { code: string; message: string }[];
  };
  assert.equal(published.uri, uri);
  assert.equal(published.version, 7);
  assert.deepEqual(
    published.diagnostics.map((d) => [d.code, d.message]),
    [['PH341', "unknown variable 'x'"]],
  );
  assert.equal((lines.find((m) => m.id === null)!.error as { code: number }).code, -32700);
  assert.ok(
    lines.some((m) => m.id === 1 && m.result),
    'initialize answered',
  );

  // `exit` without `shutdown` ends the worker with code 1, and the stream with it.
  send({ method: 'exit' });
  const end = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the stream did not end')), DEADLINE_MS);
    const poll = () => {
      const ended = messages.find((m): m is { stream: number; end: string } => 'end' in m);
      if (ended) {
        clearTimeout(timer);
        resolve(ended.end);
      } else setTimeout(poll, 20);
    };
    poll();
  });
  assert.equal(end, 'the language server stopped (exit code 1)');
});
