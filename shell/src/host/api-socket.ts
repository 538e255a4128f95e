/**
 * Browser mode's API endpoint: the WebSocket a page opens at /api, one Session per socket.
 * The server (server.ts) checks who may connect and hands the upgrade over; this side, with
 * ws, the contract's validators and the services, is loaded apart from the server so that the
 * server can listen and serve the page while it loads.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_REQUEST_BYTES } from '../common/api.js';
import type { HostServices } from './services.js';
import { Session } from './session.js';

export class ApiSocket {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });

  constructor(private readonly services: HostServices) {}

  /** Takes over an upgrade request the server has already let through. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(this.services, (frame) => ws.send(frame));
      ws.on('message', (data, isBinary) => {
        void session.receive(isBinary ? '' : data.toString());
      });
      ws.on('close', () => session.close());
      // A frame over maxPayload closes the socket with 1009; nothing else can throw here.
      ws.on('error', () => ws.terminate());
    });
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
