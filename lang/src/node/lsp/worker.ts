/**
 * The language server in a worker thread, for a host that runs it beside other work (the studio's
 * host, whose event loop also serves consoles and machines): each message is one string of JSON
 * on the worker's port, both ways. An `exit` from the peer ends the worker.
 */
import { parentPort } from 'node:worker_threads';
import { startLanguageServer } from './server.js';
import { PortTextWriter, TextMessageReader } from './transport.js';

if (parentPort === null) throw new Error('lsp/worker.js runs as a worker thread');
const port = parentPort;
const writer = new PortTextWriter(port);
const reader = new TextMessageReader(writer);
port.on('message', (text: unknown) => {
  if (typeof text === 'string') reader.receive(text);
});
port.on('close', () => reader.end());
startLanguageServer({ reader, writer });
