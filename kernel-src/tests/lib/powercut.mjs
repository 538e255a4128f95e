// powercut.mjs — the power-cut harness: boots lib/powercut.ph (three workers growing checksummed
// chains, a checker walking them) on one store disk again and again, kills QEMU with SIGKILL at
// random moments (at random offsets, and just around the next snapshot's freeze and write), and
// after every reboot checks that
//   - the program's own invariant holds (its checker prints "check ok", never "BROKEN"),
//   - no committed generation was lost (the mounted one is at least the last one the kernel
//     announced as committed before the kill),
//   - the restored state is no older than one interval plus the write time before the kill (its
//     age: from the first change it does not have, as the worker printed it, to the kill; the
//     write time of the generation being written at the kill, from its "froze" line, when there
//     was one; else the longest of the run),
//   - every worker continues from its chain (never from the future, never from scratch).
// Every flipEvery-th round it also flips one random bit in the newest generation, by turns in
// one of the pages it wrote and in its record or a page-map block only it uses; and checks that
// the kernel reports it at mount and falls back to an older generation.
import { randomInt } from 'node:crypto';
import { copyFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeMapBlock } from '@phantom/lang/common/store/blocks.js';
import { openStore } from '@phantom/lang/common/store/reader.js';
import * as S from '@phantom/lang/common/spec/generated.js';
import { KERNEL_DEFAULT_SNAP_MS, kernelPath } from '../qemu.mjs';
import { buildStoreDisk, Machine } from './machine.mjs';

const PROGRAM = join(import.meta.dirname, 'powercut.ph');
/** Worker threads of powercut.ph (w1, w2, w3). */
const WORKERS = 3;
const WORKER_LINE = /^w(\d+) (\d+)$/;
const GENERATION_LINE = /^snapshot: generation (\d+) \(parent \d+\): .* write (\d+) us, commit (\d+) us, \d+ bytes$/;
const FREEZE_LINE = /^snapshot: froze \d+ pages/;
const MOUNTED_LINE = /^store: mounted generation (\d+) /;
const DAMAGED_LINE = /^store: generation (\d+) is damaged: (.*)$/;
/** A boot under TCG on shared cores: the workers must print within this. */
const RESTORE_DEADLINE_MS = 60_000;
/**
 * What the age bound allows beyond the interval and the write time: the safe point that notices
 * the interval is due (the scheduler idles at most 10 ms) and the console's way to the host (the
 * worker's line is seen late), generously for a loaded TCG host.
 */
export const AGE_SLACK_MS = 400;

/** p-th percentile (0..100) of numbers, nearest rank; NaN when empty. */
export function percentile(values, p) {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function readBlock(file, block) {
  const bytes = new Uint8Array(S.BLOCK_SIZE);
  await file.read(bytes, 0, S.BLOCK_SIZE, block * S.BLOCK_SIZE);
  return bytes;
}

/**
 * The pages the newest generation wrote (their blocks are its own): entries of its page map that
 * differ from its parent's, as [{ block, what }].
 */
async function pagesOnlyIn(file, newest, parent) {
  const pages = [];
  for (const [m, ref] of newest.record.mapBlocks.entries()) {
    const parentRef = parent?.record.mapBlocks[m];
    if (parentRef && parentRef.block === ref.block) continue;
    const mine = decodeMapBlock(await readBlock(file, ref.block), `map block ${m}`, ref.block);
    const theirs = parentRef ? decodeMapBlock(await readBlock(file, parentRef.block), `map block ${m}`) : [];
    mine.forEach((entry, i) => {
      if (entry.block !== S.ZERO_BLOCK && entry.block !== theirs[i]?.block)
        pages.push({ block: entry.block, page: m * S.PME_PER_BLOCK + i, what: `page ${m * S.PME_PER_BLOCK + i}` });
    });
  }
  return pages;
}

/**
 * Flips one random bit of the newest generation: with inPage, in a page it wrote (when it wrote
 * one that is not all zero), else in its record or a page-map block its parent does not share.
 * Returns { generation, block, what }, or undefined when the newest is the only generation that
 * verifies (nothing to fall back to: the kill came before the first commit).
 */
export async function flipNewestGeneration(diskPath, { inPage }) {
  const file = await open(diskPath, 'r+');
  try {
    const store = await loadStore(file);
    const verified = store.generations.filter((g) => g.record);
    const newest = verified.reduce((a, g) => (g.generation > a.generation ? g : a));
    const parent = verified.find((g) => g.generation === newest.parent);
    if (verified.length < 2) return undefined;
    const shared = new Set(parent ? parent.record.mapBlocks.map((m) => m.block) : []);
    const metadata = [{ block: newest.recordBlock, what: 'record' }];
    for (const m of newest.record.mapBlocks)
      if (!shared.has(m.block)) metadata.push({ block: m.block, what: 'page-map block' });
    const pages = await pagesOnlyIn(file, newest, parent);
    const blocks = inPage && pages.length ? pages : metadata;
    const target = blocks[randomInt(blocks.length)];
    await flipBit(file, target.block);
    return { generation: newest.generation, ...target };
  } finally {
    await file.close();
  }
}

/**
 * Flips one random bit in a page that kept generation `number` wrote and that neither its parent
 * nor any generation in `notIn` has in the same block (so the parent stays sound, and a machine
 * running on one of those does not hold the page's bytes). With `where`, only the pages it picks
 * from those ({ block, page, bytes } each); with `all`, one bit in every such page; with `dryRun`,
 * none (the answer says whether there is a page to flip). Returns { generation, block, what, flipped }
 * (the first page flipped, and how many), or undefined when it wrote no such page.
 */
export async function flipPageOf(diskPath, number, { notIn = [], where, all = false, dryRun = false } = {}) {
  const file = await open(diskPath, dryRun ? 'r' : 'r+');
  try {
    const store = await loadStore(file);
    const verified = store.generations.filter((g) => g.record);
    const target = verified.find((g) => g.generation === number);
    if (!target) throw new Error(`generation ${number} is not kept on the store`);
    const parent = verified.find((g) => g.generation === target.parent);
    const others = [];
    for (const n of notIn) {
      const g = verified.find((v) => v.generation === n);
      if (g) others.push(await pageBlocks(file, g));
    }
    let candidates = (await pagesOnlyIn(file, target, parent)).filter(({ block }) =>
      others.every((blocks) => !blocks.has(block)),
    );
    if (where) {
      const read = [];
      for (const c of candidates) read.push({ ...c, bytes: await readBlock(file, c.block) });
      candidates = where(read).map(({ bytes, ...c }) => c);
    }
    if (!candidates.length) return undefined;
    const chosen = all ? candidates : [candidates[randomInt(candidates.length)]];
    if (!dryRun) for (const c of chosen) await flipBit(file, c.block);
    return { generation: number, ...chosen[0], flipped: chosen.length };
  } finally {
    await file.close();
  }
}

/** Every non-zero page block of generation g. */
async function pageBlocks(file, g) {
  const blocks = new Set();
  for (const [m, ref] of g.record.mapBlocks.entries())
    for (const entry of decodeMapBlock(await readBlock(file, ref.block), `map block ${m}`, ref.block))
      if (entry.block !== S.ZERO_BLOCK) blocks.add(entry.block);
  return blocks;
}

async function flipBit(file, block) {
  const bytes = await readBlock(file, block);
  const bit = randomInt(S.BLOCK_SIZE * 8);
  bytes[bit >> 3] ^= 1 << (bit & 7);
  await file.write(bytes, 0, S.BLOCK_SIZE, block * S.BLOCK_SIZE);
}

/** The store on the disk as lang's reader opens it (which checks contents too, so it reads blocks in rounds). */
async function loadStore(file) {
  const cache = new Map();
  const diskBlocks = Math.floor((await file.stat()).size / S.BLOCK_SIZE);
  for (let b = 0; b < 4; b++) cache.set(b, await readBlock(file, b));
  // openStore reads synchronously; gather what it asks for, then read again until it has all.
  for (let attempt = 0; attempt < 64; attempt++) {
    const missing = new Set();
    let store;
    try {
      store = openStore((n) => {
        const hit = cache.get(n);
        if (hit) return hit;
        missing.add(n);
        return new Uint8Array(S.BLOCK_SIZE);
      }, diskBlocks);
    } catch (err) {
      if (!missing.size) throw err;
    }
    if (!missing.size && store) return store;
    for (const n of missing) cache.set(n, await readBlock(file, n));
  }
  throw new Error('the store on the disk could not be read');
}

/** The worker lines of one run: for each worker, its values with the host time they arrived. */
function workerValues(lines, from = 0) {
  const byWorker = new Map();
  for (let i = from; i < lines.length; i++) {
    const m = WORKER_LINE.exec(lines[i].line);
    if (!m) continue;
    const id = Number(m[1]);
    if (!byWorker.has(id)) byWorker.set(id, []);
    byWorker.get(id).push({ value: Number(m[2]), at: lines[i].at });
  }
  return byWorker;
}

/**
 * Runs `kills` power cuts on a fresh disk in `dir` (fewer when `signal` aborts), a snapshot every
 * `intervalMs` (left out: no snap= on the kernel's command line, so its default). onRound(report)
 * is called after each checked restore. Resolves to { rounds, failures: [{ round, message, log }],
 * ages, agesBeyondWrite (each age less the write in flight at its kill: what issue 21 bounds by
 * 50 ms), restoreMs }.
 */
export async function runPowercut({ dir, kills, intervalMs, flipEvery = 5, memory = '256M', onRound, signal }) {
  const disk = join(dir, 'powercut.img');
  const kernel = join(dir, 'phantom.elf');
  await copyFile(kernelPath, kernel);
  await buildStoreDisk(disk, [PROGRAM], ['.test.powercut']);
  // Without an interval, the kernel's own default: its command line names none.
  const append = intervalMs === undefined ? 'debug=snapshots' : `snap=${intervalMs} debug=snapshots`;
  intervalMs ??= KERNEL_DEFAULT_SNAP_MS;
  const failures = [];
  const ages = [];
  const agesBeyondWrite = [];
  const restoreMs = [];
  let previous; // { lines, killAt, flipped, lastAnnounced, maxWriteMs }
  let rounds = 0;
  for (let round = 0; round <= kills; round++) {
    const machine = new Machine({ disk, append, memory, kernel });
    const fail = (message) => failures.push({ round, message, log: machine.log });
    try {
      const firstWorker = await machine.waitForLine(WORKER_LINE, { deadlineMs: RESTORE_DEADLINE_MS });
      restoreMs.push(firstWorker.at - machine.startedAt);
      const firstCheck = await machine.waitForLine(/^(check ok \d+|BROKEN .*)$/, { deadlineMs: RESTORE_DEADLINE_MS });
      for (let id = 1; id <= WORKERS; id++)
        await machine.waitForLine(new RegExp(`^w${id} `), { deadlineMs: RESTORE_DEADLINE_MS });
      if (previous) {
        const problem = checkRestore(machine.lines, previous, firstCheck.index, ages);
        if (ages.length > agesBeyondWrite.length) agesBeyondWrite.push(Math.max(0, ages.at(-1) - previous.inFlightMs));
        if (problem) fail(problem);
        onRound?.({ round, problem, flipped: previous.flipped, restoreMs: restoreMs.at(-1) });
      }
      if (round > 0) rounds = round;
      const last = round === kills || signal?.aborted;
      if (!last) await waitForKillMoment(machine, intervalMs, firstCheck.index);
      const killAt = performance.now();
      await machine.kill();
      if (machine.lines.some((l) => l.line.startsWith('BROKEN'))) fail('the program found its invariant broken');
      if (machine.lines.some((l) => /PANIC|snapshot: the store refused/.test(l.line))) fail('the kernel reported a failure');
      if (last) break;
      const announced = machine.lines.map((l) => GENERATION_LINE.exec(l.line)).filter(Boolean);
      // Generations are frozen and committed in order, several on their way at once (a commit in
      // the background, one queued behind it, one being written): the oldest not committed at the
      // kill is this boot's freeze after the last one announced.
      const freezes = machine.lines.flatMap((l, i) => (FREEZE_LINE.test(l.line) ? [i] : []));
      const oldestInFlight = freezes[announced.length];
      previous = {
        lines: machine.lines,
        killAt,
        intervalMs,
        lastAnnounced: announced.length ? Number(announced.at(-1)[1]) : -1,
        maxWriteMs: Math.max(0, ...announced.map((m) => (Number(m[2]) + Number(m[3])) / 1000)),
        inFlightMs: oldestInFlight === undefined ? 0 : killAt - machine.lines[oldestInFlight].at,
        flipped:
          flipEvery && round % flipEvery === flipEvery - 1
            ? await flipNewestGeneration(disk, { inPage: Math.floor(round / flipEvery) % 2 === 0 })
            : undefined,
      };
    } catch (err) {
      await machine.kill();
      fail(err.message);
      previous = undefined;
    }
  }
  return { rounds, failures, ages, agesBeyondWrite, restoreMs, intervalMs };
}

/** Kills land anywhere: at a random offset, or just around the next freeze (often mid-write). */
async function waitForKillMoment(machine, intervalMs, from) {
  const deadline = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  if (randomInt(2) === 0) {
    await deadline(randomInt(20, 3 * intervalMs));
    return;
  }
  await machine.waitForLine(GENERATION_LINE, { deadlineMs: RESTORE_DEADLINE_MS, from });
  await deadline(Math.max(0, intervalMs - 40 + randomInt(120)));
}

/** Checks one restore against the run before the kill; returns what is wrong, or undefined. */
function checkRestore(lines, previous, checkIndex, ages) {
  const mounted = lines.map((l) => MOUNTED_LINE.exec(l.line)).find(Boolean);
  if (!mounted) return 'no "store: mounted generation" line';
  const generation = Number(mounted[1]);
  if (!lines[checkIndex].line.startsWith('check ok')) return `the checker says: ${lines[checkIndex].line}`;
  if (previous.flipped) {
    const damaged = lines.map((l) => DAMAGED_LINE.exec(l.line)).find(Boolean);
    if (generation >= previous.flipped.generation)
      return `generation ${previous.flipped.generation} has a flipped bit in its ${previous.flipped.what} (block ${previous.flipped.block}) but was mounted`;
    if (!damaged || Number(damaged[1]) !== previous.flipped.generation)
      return `no console line reports generation ${previous.flipped.generation} as damaged`;
  } else if (generation < previous.lastAnnounced) {
    return `mounted generation ${generation}, but generation ${previous.lastAnnounced} was committed before the kill`;
  }
  const before = workerValues(previous.lines);
  const after = workerValues(lines);
  if (!before.size) return 'no worker printed before the kill';
  let age = 0;
  for (const [id, values] of before) {
    if (!previous.flipped && after.get(id)?.[0]?.value < values[0].value)
      return `worker ${id} resumed at ${after.get(id)[0].value}, older than the state the killed run booted from (${values[0].value - 1})`;
    const resumed = after.get(id)?.[0]?.value;
    if (resumed === undefined) return `worker ${id} printed nothing after the restore`;
    const lastBefore = values.at(-1).value;
    if (resumed > lastBefore + 1) return `worker ${id} resumed at ${resumed}, after ${lastBefore} before the kill`;
    // The restored count is resumed - 1 (or resumed, when the snapshot fell between count++ and
    // println). The work lost began when the worker moved past it: at the first value printed
    // after it (count++ comes just before its println). When the restored count is the last one
    // printed, nothing the worker did was lost, however long the host kept QEMU off its cores
    // before the kill: the state at the kill was the restored one.
    const restored = resumed - 1;
    const firstLost = values.find((v) => v.value > restored);
    if (firstLost) age = Math.max(age, previous.killAt - firstLost.at);
  }
  if (previous.flipped) return undefined; /* older by design: the newest generation was damaged */
  ages.push(age);
  // The write time that counts is the oldest generation on its way at the kill, when there was one.
  const bound = previous.intervalMs + Math.max(previous.maxWriteMs, previous.inFlightMs) + AGE_SLACK_MS;
  if (age > bound) return `the restored state is ${Math.round(age)} ms older than the kill (bound ${Math.round(bound)} ms)`;
  return undefined;
}
