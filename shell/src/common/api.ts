/**
 * The studio's API: every call the renderer can make of the host, and every event the host
 * can send, defined once here. The host validates each incoming message against these
 * schemas before acting on it, and the renderer's client is typed from them, so both sides
 * agree by construction. Transport-neutral: browser mode carries these messages over a
 * WebSocket, Electron over a MessagePort.
 */
import { z } from 'zod';

/** Largest request frame the host accepts; an installed class is the biggest thing sent. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export const StudioInfo = z.object({
  name: z.string(),
  version: z.string(),
  mode: z.enum(['electron', 'browser']),
  platform: z.string(),
});
export type StudioInfo = z.infer<typeof StudioInfo>;

/** Method name → schemas of its parameters and its result. */
export const methods = {
  'studio.info': { params: z.object({}).strict(), result: StudioInfo },
} as const;

export type MethodName = keyof typeof methods;
export type Params<M extends MethodName> = z.infer<(typeof methods)[M]['params']>;
export type Result<M extends MethodName> = z.infer<(typeof methods)[M]['result']>;

export const Request = z
  .object({
    id: z.number().int().nonnegative(),
    method: z.string().min(1).max(100),
    params: z.unknown().optional(),
  })
  .strict();
export type Request = z.infer<typeof Request>;

/** Error codes a reply can carry, so the UI can tell a bad call from a failed operation. */
export enum ErrorCode {
  /** The frame was not JSON or not a request. */
  MalformedMessage = 'malformed-message',
  /** No such method. */
  UnknownMethod = 'unknown-method',
  /** The parameters do not match the method's schema. */
  InvalidParams = 'invalid-params',
  /** The operation itself failed (QEMU died, the disk is full, ...). */
  Failed = 'failed',
}

export const ApiErrorBody = z.object({
  code: z.nativeEnum(ErrorCode),
  message: z.string(),
  details: z.string().optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export type Reply = { id: number | null; result: unknown } | { id: number | null; error: ApiErrorBody };

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

/** A failed call, as the client sees it. */
export class ApiError extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
  }
}
