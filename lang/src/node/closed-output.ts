/**
 * What a command does when whoever reads its output goes away (`phc disasm x.ph | head`,
 * `phantom generations demo | head`): the output nobody reads is dropped, and the command ends
 * its work and exits with its own status, quietly. Unheard, Node reports the closed pipe (EPIPE)
 * as an 'error' event that ends the process at once with a stack trace. For the bin scripts of
 * phc and phantom; run-image, which would run forever, stops at EPIPE instead.
 */
import type { Writable } from 'node:stream';

/** The error a write gets once the reading end of its pipe is closed. */
export function isClosedPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

export function dropOutputAfterReaderCloses(...streams: Writable[]): void {
  for (const stream of streams)
    stream.on('error', (err) => {
      // Any other error stays what it was: uncaught.
      if (!isClosedPipe(err)) throw err;
    });
}
