// Inspector engine benchmark: load and summarise a 1-million-object generation, retainers of
// one object, path from the root, and a diff of two 1-million-object generations; memory per
// object. Run by `npm run bench -w inspector` (after a build); prints a Markdown table and writes
// it to its section of docs/bench-inspector.md.
import { performance } from 'node:perf_hooks';
import { benchHeading, HOST_ONLY } from '../../scripts/bench-header.mjs';
import { diffHeaps } from '../dist/common/diff.js';
import { classSummary, dominators, pathFromRoot } from '../dist/common/graph.js';
import { HeapSnapshot } from '../dist/common/heap.js';
import { int, ref, SpaceFixture } from '../dist/common/heap-fixture.test.js';
import { writeSection } from './doc.mjs';

const OBJECTS = 1_000_000;

/** A linked list of OBJECTS nodes with a cross link every 16 (shared nodes and long paths). */
function buildSpace(mutateEvery) {
  const f = new SpaceFixture(96 << 20);
  f.rootClass(['head']);
  f.defineClass('.bench.node', ['next', 'cross', 'value']);
  let prev = 0;
  const nodes = new Uint32Array(OBJECTS);
  for (let i = 0; i < OBJECTS; i++) {
    const value = mutateEvery && i % mutateEvery === 0 ? i + 1 : i;
    const n = f.object('.bench.node', [
      prev ? ref(prev) : 0,
      i >= 16 && i % 16 === 0 ? ref(nodes[i - 16]) : 0,
      int(value),
    ]);
    nodes[i] = n;
    prev = n;
  }
  return f.finish(f.object('.internal.root', [ref(prev)]));
}

const time = (fn) => {
  const t = performance.now();
  const result = fn();
  return [performance.now() - t, result];
};

const spaceA = buildSpace(0);
const spaceB = buildSpace(1000);
global.gc?.();
const before = process.memoryUsage();
const [loadMs, heap] = time(() => new HeapSnapshot(spaceA));
const [summaryMs] = time(() => classSummary(heap, dominators(heap)));
const after = process.memoryUsage();
const target = heap.indexOf(heap.addr[heap.count - 10]);
const [firstRetainersMs] = time(() => heap.referrers(target));
const [retainersMs] = time(() => heap.referrers(heap.count >> 1));
const [pathMs, path] = time(() => pathFromRoot(heap, heap.count >> 1));
const heapB = new HeapSnapshot(spaceB);
const [diffMs, diff] = time(() => diffHeaps(heap, heapB));
const perObject = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / heap.count;

const rows = [
  ['objects in the generation', heap.count.toLocaleString('en'), ''],
  ['load (walk + index + references)', `${loadMs.toFixed(0)} ms`, 'load + summary < 2 s'],
  ['class summary with retained sizes (dominators)', `${summaryMs.toFixed(0)} ms`, ''],
  ['load + summary', `${(loadMs + summaryMs).toFixed(0)} ms`, '< 2000 ms'],
  [
    'retainers of one object (the reverse index was built by the summary)',
    `${firstRetainersMs.toFixed(1)} ms`,
    '< 100 ms',
  ],
  ['retainers of another object', `${retainersMs.toFixed(3)} ms`, '< 100 ms'],
  [`shortest path from the root (length ${path?.length})`, `${pathMs.toFixed(0)} ms`, ''],
  [`diff of two generations (${diff.changed} changed)`, `${diffMs.toFixed(0)} ms`, '< 3000 ms'],
  ['engine memory per object (index + summary, beyond the space bytes)', `${perObject.toFixed(0)} bytes`, ''],
];
const table = [
  '| measure | value | goal |',
  '| --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const doc = `${benchHeading('## The engine: a generation of a million objects', HOST_ONLY)}

Command: \`npm run bench -w inspector\` (\`bench/heap.mjs\`; Node ${process.version}, ${new Date().toISOString().slice(0, 10)}).
A synthetic generation built in the real object layout: ${OBJECTS.toLocaleString('en')} list nodes with a cross
reference every 16 nodes; the second generation changes every 1000th node.

${table}
`;
console.log(table);
writeSection('engine', doc);
