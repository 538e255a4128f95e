/**
 * The inspector's live source: the running machine through its debug channel. "Now" is exact:
 * the world is stopped while it is read, so the view never shows a half-written object graph.
 * With the store disk at hand (nowHeap), only the pages that differ from the committed generation
 * are read (revision 4: NOW_PAGES at one safe point when they are few, else DIRTY_PAGES and those
 * pages while paused), and the rest comes from that generation on the disk; without it, or from
 * an older kernel, every page up to SH_TOP is read while paused (liveHeap). Past generations are read page by page from the kernel's store
 * (READ_PAGE with a generation number).
 */
import { NO_GENERATION, PAGE_SIZE, SH_TOP } from '@phantom/lang/common/spec/generated.js';
import { type HelloReply, LIVE_GENERATION, MessageType, REQUEST_REVISION } from '../common/debug-protocol.js';
import { HeapSnapshot } from '../common/heap.js';
import type { DebugClient } from './debug-client.js';
import type { GenerationSummary, InspectSource } from './inspect-command.js';

/** Page requests kept in flight: enough to hide the channel's latency, few enough to stay fair to the threads. */
const PAGES_IN_FLIGHT = 8;

/** Reads the pages named of a generation (or the live space), a few requests in flight at a time. */
async function eachPage(
  client: DebugClient,
  pages: readonly number[],
  generation: number,
  got: (page: number, bytes: Uint8Array) => void,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < pages.length) {
      const page = pages[next++]!;
      got(page, await client.readPage(page, generation));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PAGES_IN_FLIGHT, pages.length) }, worker));
}

/** Reads pages [0, count) of a generation (or the live space) into one buffer. */
async function readPages(client: DebugClient, count: number, generation: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(count * PAGE_SIZE);
  const pages = Array.from({ length: count }, (_, page) => page);
  await eachPage(client, pages, generation, (page, contents) => bytes.set(contents, page * PAGE_SIZE));
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

/** The machine as it is now, every page read with the world paused. */
export async function liveHeap(client: DebugClient, hello: HelloReply): Promise<NowRead> {
  await client.pause();
  const pausedAt = performance.now();
  let whole: { generation: number; bytes: Uint8Array };
  try {
    const { generation } = await client.stats();
    whole = { generation, bytes: await readSpace(client, hello, LIVE_GENERATION) };
  } finally {
    await client.resume();
  }
  return {
    generation: whole.generation,
    heap: new HeapSnapshot(whole.bytes),
    pausedMs: performance.now() - pausedAt,
    pagesRead: whole.bytes.length / PAGE_SIZE + 1,
  };
}

/** A committed generation's whole object space, as the store disk has it (never changed by the caller). */
export type CommittedSpace = (generation: number) => Uint8Array | Promise<Uint8Array>;

export interface NowRead {
  generation: number;
  heap: HeapSnapshot;
  /**
   * How long the world was stopped (ms): as the kernel measured it when the pages were read at one
   * safe point (oneSafePoint), else from the PAUSE's reply to the RESUME's (at most that).
   */
  pausedMs: number;
  oneSafePoint?: boolean;
  /** Pages read over the channel while paused. */
  pagesRead: number;
}

/**
 * The machine as it is now, with the world stopped only while the pages that differ from its
 * committed generation are read: at one safe point when they are few (NOW_PAGES), else with the
 * world paused (PAUSE, DIRTY_PAGES, those pages, RESUME). That generation comes from `committed`
 * after the world runs again (it never changes). A kernel before revision 4, or one without a
 * committed generation, is read whole while paused (liveHeap).
 */
export async function nowHeap(
  client: DebugClient,
  hello: HelloReply,
  committed: CommittedSpace,
): Promise<NowRead> {
  if (hello.revision < REQUEST_REVISION[MessageType.NOW_PAGES]!) return liveHeap(client, hello);
  const changed = new Map<number, Uint8Array>();
  let generation: number;
  let pausedMs: number;
  const few = await client.nowPages();
  if (few.generation === NO_GENERATION) return liveHeap(client, hello);
  if (few.pages.length === few.dirty) {
    for (const { page, bytes } of few.pages) changed.set(page, bytes);
    generation = few.generation;
    pausedMs = few.buildUs / 1000;
  } else {
    await client.pause();
    const pausedAt = performance.now();
    try {
      const uncommitted = await client.dirtyPages();
      generation = uncommitted.generation;
      await eachPage(client, uncommitted.pages, LIVE_GENERATION, (page, bytes) => changed.set(page, bytes));
    } finally {
      await client.resume();
    }
    pausedMs = performance.now() - pausedAt;
  }
  const base = await committed(generation);
  if (base.length !== hello.spaceSize) {
    throw new Error(
      `generation ${generation} on the disk has a space of ${base.length} bytes; the machine's has ${hello.spaceSize}`,
    );
  }
  const bytes = base.slice(0, pagesUpToTop(changed.get(0) ?? base, hello) * PAGE_SIZE);
  for (const [page, contents] of changed)
    if (page * PAGE_SIZE < bytes.length) bytes.set(contents, page * PAGE_SIZE);
  return {
    generation,
    heap: new HeapSnapshot(bytes),
    pausedMs,
    pagesRead: changed.size,
    oneSafePoint: few.pages.length === few.dirty,
  };
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
