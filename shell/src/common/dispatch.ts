/**
 * The host side of the API boundary: turns one raw incoming frame into one reply, validating
 * the envelope and the parameters before any handler runs. Nothing a peer sends can make it
 * throw: every failure becomes an error reply.
 */
import {
  ApiError,
  ErrorCode,
  isMethodName,
  MAX_REQUEST_BYTES,
  type MethodName,
  methods,
  type Params,
  type Reply,
  Request,
  type Result,
} from './api.js';

export type Handlers = { [M in MethodName]: (params: Params<M>) => Promise<Result<M>> | Result<M> };

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Handlers may be partial (a test's); a method without one is unavailable, not a crash. */
export async function dispatch(handlers: Partial<Handlers>, frame: string): Promise<Reply> {
  if (frame.length > MAX_REQUEST_BYTES) {
    return {
      id: null,
      error: { code: ErrorCode.MalformedMessage, message: `message larger than ${MAX_REQUEST_BYTES} bytes` },
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch (err) {
    return {
      id: null,
      error: { code: ErrorCode.MalformedMessage, message: 'message is not JSON', details: String(err) },
    };
  }
  const request = Request.safeParse(json);
  if (!request.success) {
    // Echo the id only when it is one a client could have sent, so the reply stays well formed.
    const given = (json as { id?: unknown })?.id;
    const id = Number.isSafeInteger(given) && (given as number) >= 0 ? (given as number) : null;
    return {
      id,
      error: { code: ErrorCode.MalformedMessage, message: `not a request: ${describeIssues(request.error)}` },
    };
  }
  const { id, method } = request.data;
  if (!isMethodName(method))
    return { id, error: { code: ErrorCode.UnknownMethod, message: `unknown method '${method}'` } };
  const params = methods[method].params.safeParse(request.data.params ?? {});
  if (!params.success) {
    return {
      id,
      error: { code: ErrorCode.InvalidParams, message: `${method}: ${describeIssues(params.error)}` },
    };
  }
  const handler = handlers[method] as ((p: unknown) => unknown) | undefined;
  if (!handler)
    return { id, error: { code: ErrorCode.Unavailable, message: `${method} has no handler here` } };
  try {
    return { id, result: await handler(params.data) };
  } catch (err) {
    if (err instanceof ApiError) return { id, error: err.body };
    const e = err instanceof Error ? err : new Error(String(err));
    return { id, error: { code: ErrorCode.Failed, message: e.message, details: e.stack } };
  }
}
