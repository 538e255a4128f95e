// store-agree.mjs — the store differential soak: `npm run soak:store -- --cases N [--seed S]
// [--qemu K] [--table FILE]` (defaults: 2000 cases from seed 1, no QEMU boots, the table into
// kernel-src/docs/soak-store.md). Makes the corpus with the hosted kernel, damages it case by case
// (lib/store-agree.mjs), and checks that phrun (the kernel's mount, hosted), phstore and lang's
// reader choose the same generation or refuse alike. --qemu K also boots the real kernel under
// QEMU on K of the cases (spread over the run) and checks that it mounts what the reader mounts.
// Prints every disagreement with its seed (`--seed S --cases 1` reruns one), and a table per kind
// of damage; exits 1 when anything disagreed.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCorpus, buildTools, DAMAGE, makeCase, runCases } from './lib/store-agree.mjs';
import { boot, kernelDir, tempDir } from './qemu.mjs';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    qemu: { type: 'string', default: '0' },
    table: { type: 'string', default: join(kernelDir, 'docs', 'soak-store.md') },
  },
});
const cases = Number(values.cases);
const firstSeed = Number(values.seed);
const qemuBoots = Number(values.qemu);
for (const [name, n] of [['--cases', cases], ['--seed', firstSeed], ['--qemu', qemuBoots]]) {
  if (!Number.isInteger(n) || n < 0 || (name !== '--qemu' && n < 1)) {
    console.error(`soak:store: ${name} must be a whole number${name === '--qemu' ? '' : ' > 0'}`);
    process.exit(2);
  }
}
const BATCH = 50;

/** Ctrl-C or SIGTERM ends the soak after the batch in progress; the table covers what ran. */
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (stopping = true));

/** What the real kernel mounts from a case's disk: "mounted N" or "refused: why" (snap=0: it writes nothing). */
async function kernelSays(path) {
  // Whole lines only: the console arrives in pieces, and "generation 2" may be the start of "27".
  const until = /store: (mounted generation \d+ of|cannot mount the store on virtio0: STORE_\w+\r?\n)/;
  const run = await boot({ append: 'snap=0', disk: path, until });
  const mounted = /store: mounted generation (\d+) of/.exec(run.log);
  if (mounted) return `mounted ${mounted[1]}`;
  const refused = /cannot mount the store on virtio0: (STORE_\w+)/.exec(run.log);
  const why = { STORE_ENOSTORE: 'no-store', STORE_EUNSUPPORTED: 'unsupported', STORE_EIO: 'unreadable', STORE_ENOVALID: 'no-valid-generation' };
  return refused ? `refused: ${why[refused[1]] ?? refused[1]}` : `no answer from the kernel (exit ${run.code})`;
}

const started = performance.now();
const temp = await tempDir();
const rows = new Map(Object.keys(DAMAGE).map((kind) => [kind, { cases: 0, newest: 0, older: 0, refused: 0, disagree: 0 }]));
const totals = { cases: 0, newest: 0, older: 0, refused: 0, disagree: 0, qemu: 0, qemuDisagree: 0 };
const failures = [];
/** Says a disagreement at once (a long soak may be stopped early), and keeps it for the exit status. */
const disagree = (what) => {
  failures.push(what);
  process.stderr.write(`\nDISAGREE ${what}\n`);
};
try {
  buildTools();
  const corpus = buildCorpus(temp.dir);
  const qemuEvery = qemuBoots > 0 ? Math.max(1, Math.floor(cases / qemuBoots)) : 0;
  for (let from = firstSeed; from < firstSeed + cases && !stopping; from += BATCH) {
    const batch = [];
    for (let seed = from; seed < Math.min(from + BATCH, firstSeed + cases); seed++) batch.push(makeCase(corpus, seed));
    const results = await runCases(batch, temp.dir);
    for (const [i, result] of results.entries()) {
      const c = batch[i];
      const outcome = result.reader.startsWith('refused') ? 'refused' : result.reader === `mounted ${c.newest}` ? 'newest' : 'older';
      const counted = [totals, ...new Set(c.damage.map((x) => rows.get(x.kind)))];
      for (const row of counted) {
        row.cases++;
        row[outcome]++;
        if (result.problems.length > 0) row.disagree++;
      }
      if (result.problems.length > 0)
        disagree(`seed ${c.seed} (${c.base}; ${c.damage.map((x) => x.what).join('; ')}): ${result.problems.join('; ')}`);
      if (qemuEvery && (c.seed - firstSeed) % qemuEvery === 0 && c.disk.bytes.length % 512 === 0 && c.disk.bytes.length > 0) {
        const kernel = await kernelSays(join(temp.dir, `case-${i}.img`));
        totals.qemu++;
        if (kernel !== result.reader) {
          totals.qemuDisagree++;
          disagree(`seed ${c.seed} under QEMU: the kernel ${kernel}, the reader ${result.reader}`);
        }
      }
    }
    process.stderr.write(`\rcases ${totals.cases}/${cases}, disagreements ${totals.disagree + totals.qemuDisagree}`);
  }
} finally {
  await temp.cleanup();
}
process.stderr.write('\n');

const seconds = Math.round((performance.now() - started) / 1000);
const pct = (n, of) => (of === 0 ? '-' : `${n} (${Math.round((100 * n) / of)} %)`);
const line = (name, r) =>
  `| ${name} | ${r.cases} | ${pct(r.newest, r.cases)} | ${pct(r.older, r.cases)} | ${pct(r.refused, r.cases)} | ${r.disagree} |`;
const command = `npm run soak:store -- --cases ${cases}${firstSeed === 1 ? '' : ` --seed ${firstSeed}`}${qemuBoots ? ` --qemu ${qemuBoots}` : ''}`;
const table = [
  '# Store differential soak',
  '',
  'The kernel\'s mount (`phrun`, hosted), `phstore info` and lang\'s store reader on real stores the hosted kernel',
  'made (counter and power-cut programs with rollbacks, a tight disk that drops generations, an ended program),',
  'each damaged in one to three ways ("Which generation a store mounts" in `lang/docs/store-format.md` is the rule;',
  '`kernel-src/tests/lib/store-agree.mjs` the damage). A case agrees when the three mount the same generation (or',
  'refuse for the same reason), with `--gen N` too, list the same generations with the same damage, and word an',
  'unsound object space alike. A row counts the cases with that damage (a case with two kinds counts in both).',
  '',
  `Command: \`${command}\` (\`node kernel-src/tests/store-agree.mjs\`), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC,`,
  `${seconds} s on 2 shared cores, load average ${loadavg()[0].toFixed(1)} at the end.`,
  ...(totals.cases < cases ? ['', `Stopped (Ctrl-C or SIGTERM) after ${totals.cases} of the ${cases} cases asked for.`] : []),
  '',
  '| damage | cases | newest mounted | an older one mounted | refused | disagreements |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...[...rows].filter(([, r]) => r.cases > 0).map(([kind, r]) => line(kind, r)),
  line('**all cases**', totals),
  '',
  qemuBoots
    ? `Booted under QEMU as well: ${totals.qemu} of the cases (every ${Math.max(1, Math.floor(cases / qemuBoots))}th whose disk is whole sectors); the kernel mounted what the reader mounted in ${totals.qemu - totals.qemuDisagree}.`
    : 'No case was booted under QEMU in this run (`--qemu K` boots K of them).',
  '',
].join('\n');
console.log(table);
if (!stopping || totals.cases > 0) writeFileSync(values.table, table);
process.exit(failures.length > 0 ? 1 : 0);
