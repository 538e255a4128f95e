/**
 * The inspector's live source: the running machine through its debug channel. "Now" is exact:
 * the world is paused while the pages up to SH_TOP are read (a few requests in flight at a
 * time), then resumed, so the view never shows a half-written object graph. Past generations
 * are read page by page from the kernel's store (READ_PAGE with a generation number).
 */
import { PAGE_SIZE, SH_TOP } from '@phantom/lang/common/spec/generated.js';
import { type HelloReply, LIVE_GENERATION } from '../common/debug-protocol.js';
import { HeapSnapshot } from '../common/heap.js';
import type { DebugClient } from './debug-client.js';
import type { GenerationSummary, InspectSource } from './inspect-command.js';

/** Page requests kept in flight: enough to hide the channel's latency, few enough to stay fair to the threads. */
const PAGES_IN_FLIGHT = 8;

/** Reads pages [0, count) of a generation (or the live space) into one buffer. */
async function readPages(client: DebugClient, count: number, generation: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(count * PAGE_SIZE);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const page = next++;
      bytes.set(await client.readPage(page, generation), page * PAGE_SIZE);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PAGES_IN_FLIGHT, count) }, worker));
  return bytes;
}

/** The pages a space uses: up to its SH_TOP, read from its first page. */
function pagesUpToTop(firstPage: Uint8Array, hello: HelloReply): number {
  const top = new DataView(firstPage.buffer, firstPage.byteOffset).getUint32(SH_TOP, true);
  if (top < hello.spaceBase || top > hello.spaceBase + hello.spaceSize) {
    throw new Error(`the space's SH_TOP 0x${top.toString(16)} is outside the space`);
  }
  return Math.ceil((top - hello.spaceBase) / PAGE_SIZE);
}

async function readSpace(client: DebugClient, hello: HelloReply, generation: number): Promise<Uint8Array> {
  const first = await client.readPage(0, generation);
  const bytes = await readPages(client, pagesUpToTop(first, hello), generation);
  bytes.set(first, 0);
  return bytes;
}

/** The machine as it is now, read with the world paused. */
export async function liveHeap(
  client: DebugClient,
  hello: HelloReply,
): Promise<{ generation: number; heap: HeapSnapshot }> {
  await client.pause();
  try {
    const stats = await client.stats();
    return {
      generation: stats.generation,
      heap: new HeapSnapshot(await readSpace(client, hello, LIVE_GENERATION)),
    };
  } finally {
    await client.resume();
  }
}

export function liveSource(client: DebugClient, hello: HelloReply): InspectSource {
  const cache = new Map<number, HeapSnapshot>();
  return {
    generations: async () => {
      const { generations } = await client.generations();
      return generations.map(
        (g): GenerationSummary => ({
          generation: g.number,
          parent: g.parent === 0xffffffff ? null : g.parent,
          wallSeconds: g.wallSeconds,
          machineMs: g.machineMs,
        }),
      );
    },
    load: async (n) => {
      if (n === undefined) return liveHeap(client, hello);
      let heap = cache.get(n);
      if (!heap) {
        heap = new HeapSnapshot(await readSpace(client, hello, n));
        cache.set(n, heap);
      }
      return { generation: n, heap };
    },
  };
}
