/**
 * The errors vm-manager reports, as one class with a code a caller can switch on (the UI shows
 * the message; the CLI maps the code to its exit status). No Node or DOM here, so the renderer
 * can tell them apart after they cross the API.
 */

export const ERROR_CODES = [
  'bad-input',
  'name-taken',
  'no-such-machine',
  'machine-busy',
  'bad-state',
  'no-such-checkpoint',
  'checkpoint-taken',
  'hypervisor-missing',
  'hypervisor-failed',
  'qmp-error',
  'timeout',
  'disk-problem',
  'build-failed',
  'not-available',
  'debug-channel',
] as const;

export type VmErrorCode = (typeof ERROR_CODES)[number];

export class VmError extends Error {
  override readonly name = 'VmError';

  constructor(
    readonly code: VmErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isVmError(value: unknown, code?: VmErrorCode): value is VmError {
  return value instanceof VmError && (code === undefined || value.code === code);
}
