// rollback-in-place.mjs — one rollback in place of a running machine (the debug channel's
// ROLLBACK), measured from the kernel's lines: what tests/bench/rollback.mjs and rollback-ab.mjs
// both time. The lines' formats are the kernel's (arch/space.c, rollback and report_page_costs).

export const GENERATION_LINE = /^snapshot: generation (\d+) \(parent (\d+)\)/;
const ROLLED_LINE = /^store: rolled back in place .* in (\d+) us \(space dropped in (\d+) us, mount (\d+) us, contents check (\d+) us\)$/;
const PAGES_LINE = /^store: the mount's pages: (\d+) read in (\d+) requests and (\d+) waits, waiting for the disk (\d+) us, CRCs (\d+) us, kept copies (\d+) us; contents check (\d+) us$/;

/**
 * Asks `client` to roll `machine` back to `generation` and waits for the kernel's lines about it:
 * { t0 (performance.now() when asked), reply, rolled (the "rolled back" line), ms: the kernel's own
 * figure and its parts (kernel, dropped, mount, check, disk, crcs), waits: the disk waits }.
 * Throws when another generation was mounted.
 */
export async function rollBackInPlace(machine, client, generation, deadlineMs) {
  const from = machine.lines.length;
  const t0 = performance.now();
  const reply = await client.rollback(generation, deadlineMs);
  if (reply.generation !== generation) throw new Error(`in place: asked for ${generation}, mounted ${reply.generation}`);
  const rolled = await machine.waitForLine(ROLLED_LINE, { from, deadlineMs });
  const pages = await machine.waitForLine(PAGES_LINE, { from: rolled.index, deadlineMs });
  return {
    t0,
    reply,
    rolled,
    waits: Number(pages.match[3]),
    ms: {
      kernel: reply.micros / 1000,
      dropped: Number(rolled.match[2]) / 1000,
      mount: Number(rolled.match[3]) / 1000,
      check: Number(rolled.match[4]) / 1000,
      disk: Number(pages.match[4]) / 1000,
      crcs: Number(pages.match[5]) / 1000,
    },
  };
}
