/**
 * `phc lsp --stdio`: the language server on standard input and output, as VS Code, Neovim and
 * other editors start it. The input is decoded by common/lsp/framing.ts, which survives a peer
 * sending anything; each framing error is answered as a JSON-RPC parse error. Nothing else may
 * write to standard output, which carries only the protocol.
 */
import { StreamMessageWriter } from 'vscode-languageserver/node';
import { FrameDecoder } from '../../common/lsp/framing.js';
import { RpcErrorCode } from '../../common/lsp/message.js';
import { startLanguageServer } from './server.js';
import { TextMessageReader } from './transport.js';

/** Serves until the peer sends `exit` or closes standard input. */
export function serveStdio(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  const writer = new StreamMessageWriter(output);
  const reader = new TextMessageReader(writer);
  const decoder = new FrameDecoder();
  let shutdown = false;
  const connection = startLanguageServer({ reader, writer });
  connection.onShutdown(() => {
    shutdown = true;
  });
  return new Promise((resolve) => {
    input.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk))
        if ('body' in event) reader.receive(event.body);
        else reader.reject({ id: null, code: RpcErrorCode.ParseError, message: event.error });
    });
    input.on('end', () => {
      reader.end();
      // As the protocol says: exit 0 when the peer asked for a shutdown first, 1 otherwise.
      resolve(shutdown ? 0 : 1);
    });
  });
}
