// The language client's JSON-RPC against a scripted server: answers matched to requests however
// the output is split, errors with their reasons, requests from the server declined, published
// diagnostics kept per version, cancellation, and a server that goes away.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LanguageClient, LanguageServerError } from './language-client.js';

interface Sent {
  id?: number;
  method?: string;
  params?: unknown;
  error?: { code: number };
}

function scripted(): { client: LanguageClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = new LanguageClient((text) => sent.push(JSON.parse(text) as Sent));
  return { client, sent };
}

test('answers are matched to their requests, whole lines only, however the output is split', async () => {
  const { client, sent } = scripted();
  const first = client.request<string>('a', {});
  const second = client.request<number>('b', { x: 1 });
  assert.deepEqual(
    sent.map((m) => [m.id, m.method]),
    [
      [1, 'a'],
      [2, 'b'],
    ],
  );
  const output = '{"jsonrpc":"2.0","id":2,"result":42}\n{"jsonrpc":"2.0","id":1,"result":"one"}\n';
  for (const piece of output.match(/.{1,7}/gs)!) client.receive(piece);
  assert.equal(await second, 42);
  assert.equal(await first, 'one');
});

test('an error answer rejects with its code and message; the server may not ask the studio anything', async () => {
  const { client, sent } = scripted();
  const rename = client.request('textDocument/rename', {});
  client.receive(
    '{"jsonrpc":"2.0","id":1,"error":{"code":-32803,"message":"tty belongs to the system classes"}}\n',
  );
  await assert.rejects(rename, (err: unknown) => err instanceof LanguageServerError && err.code === -32803);
  client.receive('{"jsonrpc":"2.0","id":"w1","method":"window/workDoneProgress/create","params":{}}\n');
  assert.deepEqual(sent.at(-1), {
    jsonrpc: '2.0',
    id: 'w1',
    error: { code: -32601, message: 'window/workDoneProgress/create is not served' },
  } as unknown as Sent);
  client.receive('not json\n{"jsonrpc":"2.0","id":99,"result":1}\n');
});

test('published diagnostics are kept per document with their version, and listeners hear of them', () => {
  const { client } = scripted();
  const heard: string[] = [];
  client.onDidChangeDiagnostics((uri) => heard.push(uri));
  const diagnostic = {
    range: { start: { line: 1, character: 2 }, end: { line: 1, character: 5 } },
    message: "unknown name 'delay'",
    severity: 1,
  };
  client.receive(
    `${JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'phantom:/examples/a.ph', version: 3, diagnostics: [diagnostic] } })}\n`,
  );
  client.receive('{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":5}}\n');
  assert.deepEqual(heard, ['phantom:/examples/a.ph']);
  assert.equal(client.diagnosticsOf('phantom:/examples/a.ph')?.version, 3);
  assert.equal(client.allDiagnostics()[0]?.diagnostics[0]?.message, "unknown name 'delay'");
  client.forget('phantom:/examples/a.ph');
  assert.equal(client.diagnosticsOf('phantom:/examples/a.ph'), undefined);
  assert.equal(heard.length, 2);
});

test('a cancelled request is withdrawn; a closed client fails what is pending and clears diagnostics', async () => {
  const { client, sent } = scripted();
  let cancel: () => void = () => {};
  const pending = client.request(
    'textDocument/hover',
    {},
    {
      isCancellationRequested: false,
      onCancellationRequested: (listener) => {
        cancel = listener;
      },
    },
  );
  cancel();
  assert.deepEqual(sent.at(-1), {
    jsonrpc: '2.0',
    method: '$/cancelRequest',
    params: { id: 1 },
  } as unknown as Sent);
  client.receive(
    '{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"phantom:/x.ph","diagnostics":[]}}\n',
  );
  client.close('the language server stopped (exit code 1)');
  await assert.rejects(pending, /exit code 1/);
  await assert.rejects(client.request('textDocument/hover', {}), /exit code 1/);
  assert.deepEqual(client.allDiagnostics(), []);
  assert.ok(client.closed);
});
