/**
 * The timeline benchmark's page: the real timeline panel, fed 10,000 generations on four
 * branches and 20 checkpoints (a history as long as about three hours at one generation a
 * second), without a host. Bundled by bench/run.mjs.
 */
import type { Generation, Timeline } from '../src/common/api.js';
import { ApiClient } from '../src/renderer/api-client.js';
import { TimelinePanel } from '../src/renderer/timeline-panel.js';

const GENERATIONS = 10_000;
/** Rollbacks at these generation numbers, each back this many generations. */
const ROLLBACKS = [
  [3000, 400],
  [6000, 1500],
  [8500, 100],
] as const;

function history(): Timeline {
  const generations: Generation[] = [];
  const start = Date.UTC(2026, 10, 25, 9, 0, 0);
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let parent: number | null = null;
  for (let id = 1; id <= GENERATIONS; id++) {
    const rollback = ROLLBACKS.find(([at]) => at === id);
    if (rollback) parent = id - rollback[1];
    generations.push({
      id,
      number: id,
      parent,
      parentNumber: parent,
      time: start + id * 1000,
      pauseMs: 0.4 + random() * 2 + (id % 97 === 0 ? 8 : 0),
      dirtyPages: Math.floor(20 + random() * 300),
      objects: 10_000 + id * 3,
      bytes: (10_000 + id * 3) * 48,
      // A long history: retention has reclaimed all but the newest thousand.
      onDisk: id > GENERATIONS - 1000,
      damage: null,
    });
    parent = id;
  }
  const checkpoints = Array.from({ length: 20 }, (_, i) => ({
    name: `cp-${i + 1}`,
    description: '',
    time: start + (i + 1) * 480_000,
    generation: (i + 1) * 480,
    parent: i === 0 ? null : `cp-${i}`,
    withMemory: true,
  }));
  return { generations, checkpoints, current: GENERATIONS };
}

const panel = new TimelinePanel(
  document.querySelector<HTMLElement>('[data-panel="timeline"]')!,
  new ApiClient((title, error) => console.error(title, error)),
);
panel.setTimeline(history());
document.body.dataset.ready = 'true';
