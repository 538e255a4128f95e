/**
 * The renderer's typed client of the studio API. The transport is Electron's preload bridge
 * when it is there, else browser mode's WebSocket to the host that served this page; the
 * calls and their types are the same either way.
 */
import {
  ApiError,
  ApiErrorBody,
  ErrorCode,
  type MethodName,
  type Params,
  type Result,
} from '../common/api.js';
import type { PreloadApi } from '../common/ipc.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export interface ApiClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
}

function settle(pending: Pending | undefined, reply: { result?: unknown; error?: unknown }): void {
  if (!pending) return;
  if (reply.error !== undefined) {
    const body = ApiErrorBody.safeParse(reply.error);
    pending.reject(
      new ApiError(
        body.success ? body.data : { code: ErrorCode.Failed, message: 'malformed error reply from the host' },
      ),
    );
  } else {
    pending.resolve(reply.result);
  }
}

class WebSocketClient implements ApiClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly socket: Promise<WebSocket>;

  constructor(url: string) {
    this.socket = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.addEventListener('open', () => resolve(ws));
      ws.addEventListener('error', () => reject(new Error(`cannot reach the studio host at ${url}`)));
      ws.addEventListener('message', (event) => {
        const reply = JSON.parse(String(event.data)) as {
          id: number | null;
          result?: unknown;
          error?: unknown;
        };
        if (reply.id === null) return;
        settle(this.pending.get(reply.id), reply);
        this.pending.delete(reply.id);
      });
      ws.addEventListener('close', () => {
        for (const p of this.pending.values())
          p.reject(new Error('the connection to the studio host closed'));
        this.pending.clear();
      });
    });
  }

  async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const ws = await this.socket;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }
}

class PreloadClient implements ApiClient {
  private nextId = 1;
  constructor(private readonly bridge: PreloadApi) {}

  async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const reply = JSON.parse(await this.bridge.call(JSON.stringify({ id: this.nextId++, method, params })));
    return new Promise((resolve, reject) =>
      settle({ resolve: resolve as (v: unknown) => void, reject }, reply),
    );
  }
}

export function connectApi(): ApiClient {
  const bridge = (window as unknown as { phantomApi?: PreloadApi }).phantomApi;
  if (bridge) return new PreloadClient(bridge);
  return new WebSocketClient(`${location.origin.replace(/^http/, 'ws')}/api`);
}
