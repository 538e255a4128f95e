/**
 * JSON-RPC 2.0 messages as the Language Server Protocol carries them, checked before anything
 * acts on them: a body that is not JSON is a parse error (-32700), JSON that is not a request, a
 * notification or a response is an invalid request (-32600). Both come back as the error the
 * server answers with, so a peer learns what was wrong and the connection goes on.
 */

/** JSON-RPC's error codes for what is not a message (the server's own replies use vscode-jsonrpc's). */
export enum RpcErrorCode {
  ParseError = -32700,
  InvalidRequest = -32600,
}

export type RpcId = number | string;

export interface RpcRequest {
  readonly jsonrpc: '2.0';
  readonly id: RpcId;
  readonly method: string;
  readonly params?: unknown;
}

export interface RpcNotification {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params?: unknown;
}

export interface RpcResponse {
  readonly jsonrpc: '2.0';
  readonly id: RpcId | null;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}

export type RpcMessage = RpcRequest | RpcNotification | RpcResponse;

/** What to answer a body that is not a message: the error, for the request's id when it had a usable one. */
export interface RpcDecodeError {
  readonly id: RpcId | null;
  readonly code: RpcErrorCode;
  readonly message: string;
}

function isId(v: unknown): v is RpcId {
  return (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string';
}

/** One message from its JSON text, or the error to answer it with. */
export function decodeMessage(text: string): { message: RpcMessage } | { error: RpcDecodeError } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      error: { id: null, code: RpcErrorCode.ParseError, message: `not JSON: ${(e as Error).message}` },
    };
  }
  const invalid = (message: string, id: RpcId | null = null) => ({
    error: { id, code: RpcErrorCode.InvalidRequest, message },
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid(
      Array.isArray(value) ? 'batches are not part of the protocol' : 'a message is a JSON object',
    );
  const m = value as Record<string, unknown>;
  const id = isId(m.id) ? m.id : null;
  if (m.jsonrpc !== '2.0') return invalid('"jsonrpc" must be "2.0"', id);
  if ('method' in m) {
    if (typeof m.method !== 'string' || m.method === '') return invalid('"method" must be a name', id);
    if ('id' in m && !isId(m.id)) return invalid('"id" must be a number or a string');
    // null is not JSON-RPC's, but editors send it for "no parameters" (shutdown, exit).
    if ('params' in m && typeof m.params !== 'object')
      return invalid('"params" must be an object or an array', id);
    return { message: m as unknown as RpcRequest | RpcNotification };
  }
  if (!('id' in m) || (m.id !== null && !isId(m.id)))
    return invalid('neither a request, a notification nor a response');
  if ('result' in m === 'error' in m) return invalid('a response has either "result" or "error"', id);
  return { message: m as unknown as RpcResponse };
}
