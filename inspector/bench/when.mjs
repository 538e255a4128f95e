// "When did this change?" benchmark: on a real store of 10,000 kept generations (a tally reset by
// a second thread, run by phrun with a generation every millisecond, retention raised to keep
// them all: an index root and its leaves), the
// bisection beside two linear scans in the same run — one reading the field's page and the space
// header at every kept generation through the same page reader, one loading every generation whole (what
// `inspect history` does) — with the time and the pages each read. Run by `npm run bench -w
// inspector` (after a build); prints a Markdown table and writes its section of
// docs/bench-inspector.md.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { NO_GENERATION, PAGE_SIZE, SPACE_BASE } from '@phantom/lang/common/spec/generated.js';
import { openStore } from '@phantom/lang/common/store/reader.js';
import { benchHeading, HOST_ONLY } from '../../scripts/bench-header.mjs';
import { branchPath, whenChanged } from '../dist/common/when.js';
import { openDiskFile } from '../dist/node/disk-file.js';
import { phrunStore, resetterSource } from '../dist/node/phrun-store.test.js';
import { loadGeneration, openStoreFile } from '../dist/node/store-file.js';
import { writeSection } from './doc.mjs';

const RESET_AT_MS = 6000;
const RUNS = 20;
/** The figure: "over 10,000 kept generations". */
const GENERATIONS = 10_000;

const made = phrunStore({
  source: resetterSource(RESET_AT_MS),
  mainClass: '.demo.main',
  maxMs: GENERATIONS + 20,
  snapshotMs: 1,
  keep: GENERATIONS,
  diskBytes: 512 << 20,
});
try {
  const disk = openDiskFile(made.path);
  const store = openStore((n) => disk.readBlock(n), Math.floor(disk.size / PAGE_SIZE));
  const gens = store.generations.map((g) => ({
    generation: g.generation,
    parent: g.parent === NO_GENERATION ? null : g.parent,
    ...(g.error ? { error: g.error } : {}),
  }));
  const path = branchPath(gens);
  const newest = path.at(-1);
  const opened = openStoreFile(made.path);
  const { heap } = loadGeneration(opened, newest);
  opened.close();
  let tally = 0;
  for (let v = 0; v < heap.count && !tally; v++)
    if (heap.className(heap.classOf[v]) === '.demo.tally') tally = heap.addr[v];
  const spans =
    Math.floor((tally + 12 + 8 - 1 - SPACE_BASE) / PAGE_SIZE) -
    Math.floor((tally - SPACE_BASE) / PAGE_SIZE) +
    1;
  const target = { kind: 'field', name: 'resets' };

  /** A fresh page reader (no cache carried between runs), counting the pages it reads. */
  const reader = () => {
    const cache = new Map();
    return {
      cache,
      page(g, p) {
        const key = `${g}:${p}`;
        let bytes = cache.get(key);
        if (!bytes) {
          bytes = store.readPage(g, p);
          cache.set(key, bytes);
        }
        return bytes;
      },
    };
  };
  const spaceSize = store.superblock.spaceSize;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  const bisectMs = [];
  let bisect;
  let bisectPages = 0;
  for (let r = 0; r < RUNS; r++) {
    const rd = reader();
    const t0 = performance.now();
    bisect = whenChanged(rd, spaceSize, path, tally, target, { kind: 'last' });
    bisectMs.push(performance.now() - t0);
    bisectPages = rd.cache.size;
  }
  // The same question by reading, at every kept generation, the page of the field and the
  // space header (its epoch, for identity): no bisection.
  const slotAddr = tally + 12 + 4 * 1;
  const scanMs = [];
  let scanPages = 0;
  let scanChange;
  for (let r = 0; r < 5; r++) {
    const rd = reader();
    const t0 = performance.now();
    const words = path.map((g) => {
      const epoch = new DataView(rd.page(g, 0).buffer).getUint32(36, true);
      const page = rd.page(g, Math.floor((slotAddr - SPACE_BASE) / PAGE_SIZE));
      return `${epoch > 0}:${new DataView(page.buffer).getUint32((slotAddr - SPACE_BASE) % PAGE_SIZE, true)}`;
    });
    let i = words.length - 1;
    while (i > 0 && words[i - 1] === words.at(-1)) i--;
    scanChange = path[i];
    scanMs.push(performance.now() - t0);
    scanPages = rd.cache.size;
  }
  // What a tool without page reads does: every kept generation loaded whole.
  const t0 = performance.now();
  let wholePages = 0;
  for (const g of path) wholePages += store.readGenerationPages(g).length / PAGE_SIZE;
  const wholeMs = performance.now() - t0;
  disk.close();

  if (!bisect.change || bisect.change.after !== scanChange)
    throw new Error('the bisection and the scan disagree');
  const budget = 2 * Math.log2(path.length) * spans;
  const rows = [
    [
      'bisection (median of 20)',
      `${median(bisectMs).toFixed(1)} ms`,
      String(bisectPages),
      String(bisect.probes),
      `≤ 1000 ms; pages ≤ ${budget.toFixed(1)}`,
    ],
    [
      "linear scan, the field's page and the space header at every generation (median of 5)",
      `${median(scanMs).toFixed(1)} ms`,
      String(scanPages),
      String(path.length),
      '',
    ],
    [
      'linear scan, every generation loaded whole',
      `${wholeMs.toFixed(0)} ms`,
      String(wholePages),
      String(path.length),
      '',
    ],
  ];
  const table = [
    '| search | time | pages read | generations probed | goal |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  const doc = `${benchHeading('## When did this change? Bisection over kept generations', HOST_ONLY)}

Command: \`npm run bench -w inspector\` (\`bench/when.mjs\`; Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0].toFixed(1)} on a shared host of 2 cores).
A real store: a tally whose count a thread adds to every millisecond and a second thread resets at
${RESET_AT_MS} ms, run by phrun on the virtual clock with a generation every millisecond and \`--keep ${GENERATIONS}\` (the
kernel's store code with its retention cap raised: an index root and its leaves); the branch has
${path.length} kept generations. Asked: when did \`.resets\` of the tally
(an object spanning ${spans} page) last change; all three find gen ${bisect.change.before} → gen ${bisect.change.after}.
Pages are object-space pages read from the disk (each generation's page once); the budget is
2 × log2(${path.length}) × ${spans}.

${table}
`;
  console.log(table);
  writeSection('when', doc);
} finally {
  made.dispose();
}
