/**
 * `phantom inspect <machine> <command>`: the inspector from a terminal. The CLI (vm-manager)
 * resolves the machine to an InspectSource and hands the rest of the arguments here.
 *
 *   summary                  class summary (count, shallow, retained, unreachable, and the
 *                            address of the instance retaining most: what object, path and
 *                            history take)
 *   instances <class>        a class's instances: address, sizes, distance from the root
 *   object <ref>             an object's fields, and who refers to it (by which field)
 *   path <ref>               the shortest chain of references from the root
 *   threads                  threads and their frames
 *   history <ref>            the object's value at each kept generation where it changed
 *   diff <genA> <genB>       objects added, removed and changed, by class; with --reachable
 *                            only what the root reaches (garbage left out), with
 *                            --reachable-from <ref> only what that object reaches. A generation
 *                            is gen:N, or gen:oldest / gen:newest: the kernel's retention thins
 *                            old generations, so a number that once existed may be gone
 *   generations              the kept generations and their parents
 *   when <ref> <target>      the generation in which a field (.count), element ([3]),
 *                            directory entry (["name"]) or reachability (reachable) last changed, by bisection over the kept
 *                            generations of the current branch, read page by page from the store
 *                            disk (never the live machine); --equals V: where it first took V
 *                            (integers: first reached it); --all: every change
 *
 * Every command takes `--json` and `--at gen:N` (default: the newest generation that verifies).
 * Exit codes: 0 done, 1 the machine or object could not be read, 2 a usage error.
 */
import * as L from '@phantom/lang/common/spec/generated.js';
import { diffHeaps, objectHistory } from '../common/diff.js';
import { formatValue } from '../common/format.js';
import { classSummary, dominators, retainedSizes } from '../common/graph.js';
import type { HeapSnapshot } from '../common/heap.js';
import { objectView, threads } from '../common/objects.js';
import { formatRef, parseRef } from '../common/ref.js';
import { distancesFromRoot, namedPathFromRoot, retainersOf, UNREACHABLE } from '../common/retainers.js';
import {
  formatWhenValue,
  parseLiteral,
  parseTarget,
  type WhenChange,
  type WhenMode,
  type WhenTarget,
} from '../common/when.js';
import type { WhenOnDisk } from './store-pages.js';

export interface GenerationSummary {
  generation: number;
  parent: number | null;
  wallSeconds?: number;
  machineMs?: number;
  error?: string;
}

/** Where the inspector reads a machine from: its store disk, or the live debug channel. */
export interface InspectSource {
  generations(): Promise<GenerationSummary[]>;
  /**
   * Generation `n`, or the newest that verifies — or, live, the machine as it is now (`live`,
   * read after `generation` was committed).
   */
  load(n?: number): Promise<{ generation: number; heap: HeapSnapshot; live?: boolean }>;
  /** "When did this change?" over the committed generations (a store disk); absent for sources without one. */
  when?(ref: number, target: WhenTarget, mode: WhenMode, upTo?: number): Promise<WhenOnDisk>;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const INSPECT_USAGE = `usage: phantom inspect <machine> <command> [--json] [--at gen:N]
commands:
  summary               objects per class: count, shallow and retained bytes, and the
                        instance retaining most (an address object, path and history take)
  instances <class>     a class's instances (class: its full name or part of it)
  object <ref>          an object's fields and its referrers (ref: @0x40001a40)
  path <ref>            shortest path from the root to the object
  threads               threads and their frames
  history <ref>         the object's value at each generation where it changed
  diff <genA> <genB>    objects added, removed and changed between two generations
                        (gen:N, or gen:oldest and gen:newest of those kept)
                        --reachable: only what the root reaches (leaves garbage out)
                        --reachable-from <ref>: only what that object reaches (a program's data)
  generations           kept generations and their parents
  when <ref> <target>   the generation in which a field (.count), an element ([3]), a
                        directory entry (["name"]) or the object's reachability from the root
                        (reachable) last changed, and the generations around it
                        --equals V: where it first took V (an integer, null, true, false, @0x…)
                        --all: every change found between generations whose values differ`;

class UsageError extends Error {}

interface Options {
  json: boolean;
  at?: number;
  /** diff only: compare what the root ('root') or the object at this address reaches. */
  reachable?: 'root' | number;
  /** when only. */
  equals?: string;
  all?: boolean;
  positional: string[];
}

function parseOptions(args: readonly string[]): Options {
  const options: Options = { json: false, positional: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') options.json = true;
    else if (a === '--at' || a.startsWith('--at=')) {
      const value = a === '--at' ? args[++i] : a.slice(5);
      const m = /^(?:gen:)?(\d+)$/.exec(value ?? '');
      if (!m) throw new UsageError(`--at takes gen:N, got ${value ?? 'nothing'}`);
      options.at = Number(m[1]);
    } else if (a === '--reachable') options.reachable = 'root';
    else if (a === '--all') options.all = true;
    else if (a === '--equals' || a.startsWith('--equals=')) {
      const value = a === '--equals' ? args[++i] : a.slice('--equals='.length);
      if (value === undefined)
        throw new UsageError('--equals takes a value: an integer, null, true, false or @0x…');
      options.equals = value;
    } else if (a === '--reachable-from' || a.startsWith('--reachable-from=')) {
      const value = a === '--reachable-from' ? args[++i] : a.slice('--reachable-from='.length);
      const from = value === undefined ? undefined : parseRef(value);
      if (from === undefined)
        throw new UsageError(
          `--reachable-from takes an object reference like @0x40001a40, got ${value ?? 'nothing'}`,
        );
      options.reachable = from;
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else options.positional.push(a);
  }
  return options;
}

function refArg(options: Options, index: number, command: string): number {
  const text = options.positional[index];
  const ref = text === undefined ? undefined : parseRef(text);
  if (ref === undefined) throw new UsageError(`${command} takes an object reference like @0x40001a40`);
  return ref;
}

/** 'oldest' or 'newest' when `text` names an end of what is kept (gen:oldest, newest, …). */
function keptEnd(text: string | undefined): string | undefined {
  return /^(?:gen:)?(oldest|newest)$/.exec(text ?? '')?.[1];
}

/**
 * A generation named on the command line: gen:N, or the oldest or newest of those kept that
 * verify (names that stay valid however retention thins the store).
 */
async function genArg(text: string | undefined, command: string, source: InspectSource): Promise<number> {
  const end = keptEnd(text);
  if (end) {
    const kept = (await source.generations()).filter((g) => !g.error).map((g) => g.generation);
    if (kept.length === 0) throw new Error('the store keeps no generation that verifies');
    return end === 'oldest' ? Math.min(...kept) : Math.max(...kept);
  }
  const m = /^(?:gen:)?(\d+)$/.exec(text ?? '');
  if (!m) throw new UsageError(`${command} takes generations like gen:3, gen:oldest or gen:newest`);
  return Number(m[1]);
}

/** Times gen:oldest or gen:newest is resolved again when the generation it named was dropped before it was read. */
const NAMED_GENERATION_TRIES = 5;

/**
 * Generation `text` names, loaded. The name and the read are two steps, and a running machine's
 * retention can drop the generation in between (at 100 a second, the oldest goes within
 * milliseconds of ageing out of the last minute): gen:oldest and gen:newest are then resolved
 * again; a number is not, since its user asked for that one.
 */
async function loadGenArg(
  text: string | undefined,
  command: string,
  source: InspectSource,
): Promise<{ generation: number; heap: HeapSnapshot }> {
  const named = keptEnd(text) !== undefined;
  for (let tries = 1; ; tries++) {
    const generation = await genArg(text, command, source);
    try {
      return { generation, heap: (await source.load(generation)).heap };
    } catch (err) {
      if (!named || tries >= NAMED_GENERATION_TRIES) throw err;
      const stillKept = (await source.generations()).some((g) => g.generation === generation && !g.error);
      if (stillKept) throw err;
    }
  }
}

function nodeOf(heap: HeapSnapshot, ref: number): number {
  const node = heap.indexOf(ref);
  if (node < 0) throw new Error(`no object at ${formatRef(ref)} in this generation`);
  return node;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}

/** Runs one inspect command; writes its output with `write`, errors with `error`; returns the exit code. */
export async function runInspect(
  args: readonly string[],
  source: InspectSource,
  write: (text: string) => void,
  error: (text: string) => void,
): Promise<number> {
  try {
    const options = parseOptions(args);
    const [command] = options.positional;
    if (options.reachable !== undefined && command !== 'diff')
      throw new UsageError('--reachable and --reachable-from apply to diff only');
    if ((options.equals !== undefined || options.all) && command !== 'when')
      throw new UsageError('--equals and --all apply to when only');
    const emit = (json: unknown, text: () => string) =>
      write(options.json ? JSON.stringify(json, null, 2) : text());
    switch (command) {
      case 'generations': {
        const gens = await source.generations();
        emit(gens, () =>
          table([
            ['generation', 'parent', 'machine ms', 'committed'],
            ...gens.map((g) => [
              String(g.generation),
              g.parent === null ? '-' : String(g.parent),
              g.machineMs === undefined ? '-' : String(g.machineMs),
              g.error
                ? `damaged: ${g.error}`
                : g.wallSeconds
                  ? new Date(g.wallSeconds * 1000).toISOString()
                  : '-',
            ]),
          ]),
        );
        return EXIT_OK;
      }
      case 'summary': {
        const { generation, heap } = await source.load(options.at);
        const idom = dominators(heap);
        const rows = classSummary(heap, idom);
        const classes = rows.map(({ classNode, largest, ...r }) => ({
          ...r,
          largest: formatRef(heap.addr[largest]!),
        }));
        emit({ generation, objects: heap.count, classes }, () =>
          [
            `generation ${generation}: ${heap.count} objects`,
            table([
              ['class', 'count', 'shallow', 'retained', 'unreachable', 'largest instance'],
              ...classes.map((r) => [
                r.className,
                String(r.count),
                String(r.shallowBytes),
                String(r.retainedBytes),
                String(r.unreachable),
                r.largest,
              ]),
            ]),
            'object, path and history take an address; instances <class> lists them all',
          ].join('\n'),
        );
        return EXIT_OK;
      }
      case 'instances': {
        const wanted = options.positional[1];
        if (!wanted) throw new UsageError('instances takes a class name, like .demo.counter or counter');
        const { generation, heap } = await source.load(options.at);
        const names = matchingClasses(heap, wanted);
        if (names.length === 0) throw new Error(`no class named like ${wanted} in generation ${generation}`);
        const retained = retainedSizes(heap, dominators(heap));
        const distance = distancesFromRoot(heap);
        const instances: {
          ref: string;
          className: string;
          shallow: number;
          retained: number;
          distance: number | null;
        }[] = [];
        for (let v = 0; v < heap.count; v++) {
          if (!names.includes(heap.className(heap.classOf[v]!))) continue;
          instances.push({
            ref: formatRef(heap.addr[v]!),
            className: heap.className(heap.classOf[v]!),
            shallow: heap.shallow[v]!,
            retained: retained[v]!,
            distance: distance[v] === UNREACHABLE ? null : distance[v]!,
          });
        }
        emit({ generation, instances }, () =>
          table([
            ['instance', 'class', 'shallow', 'retained', 'distance'],
            ...instances.map((i) => [
              i.ref,
              i.className,
              String(i.shallow),
              String(i.retained),
              i.distance === null ? 'garbage' : String(i.distance),
            ]),
          ]),
        );
        return EXIT_OK;
      }
      case 'object': {
        const ref = refArg(options, 1, 'object');
        const { generation, heap } = await source.load(options.at);
        const node = nodeOf(heap, ref);
        const view = objectView(heap, node);
        const referrers = retainersOf(heap, node, distancesFromRoot(heap)).map((r) => ({
          ref: formatRef(heap.addr[r.node]!),
          className: heap.className(heap.classOf[r.node]!),
          via: r.via,
          distance: r.distance === UNREACHABLE ? null : r.distance,
        }));
        emit({ generation, ...view, referrers }, () => {
          const lines = [`${view.ref} ${view.className} (${view.size} bytes, generation ${generation})`];
          if (view.text !== undefined) lines.push(`  text: ${JSON.stringify(view.text)}`);
          for (const f of view.fields) lines.push(`  ${f.name} = ${formatValue(f.value)}`);
          if (view.elements) {
            lines.push(`  length ${view.elements.length}`);
            view.elements.values.forEach((v, i) => {
              lines.push(`  [${view.elements!.offset + i}] = ${formatValue(v)}`);
            });
          }
          if (view.bytes !== undefined) lines.push(`  ${view.bytes} bytes`);
          lines.push(
            `referred to by ${referrers.length}:`,
            ...referrers.map(
              (r) =>
                `  ${r.ref} ${r.className} .${r.via.join(', .')}${r.distance === null ? ' (garbage)' : ''}`,
            ),
          );
          return lines.join('\n');
        });
        return EXIT_OK;
      }
      case 'path': {
        const ref = refArg(options, 1, 'path');
        const { generation, heap } = await source.load(options.at);
        const path = namedPathFromRoot(heap, nodeOf(heap, ref));
        if (!path) {
          error(`${formatRef(ref)} is not reachable from the root in generation ${generation} (garbage)`);
          return EXIT_FAILED;
        }
        const steps = path.map(({ node, via }) => ({
          ref: formatRef(heap.addr[node]!),
          className: heap.className(heap.classOf[node]!),
          ...(via === undefined ? {} : { via }),
        }));
        emit({ generation, path: steps }, () =>
          steps
            .map((s) => (s.via ? `  .${s.via} → ${s.ref} ${s.className}` : `${s.ref} ${s.className}`))
            .join('\n'),
        );
        return EXIT_OK;
      }
      case 'threads': {
        const { generation, heap } = await source.load(options.at);
        const list = threads(heap);
        emit({ generation, threads: list }, () =>
          list
            .map((t) =>
              [
                `thread ${t.id} ${t.ref} ${t.state}${t.wakeAt !== undefined ? ` until ${t.wakeAt} ms` : ''}${t.error ? ` error ${formatValue(t.error)}` : ''}`,
                ...t.frames.map(
                  (f) =>
                    `  at ${f.method} pc ${f.pc}${f.line !== undefined ? ` line ${f.line}` : ''}  locals [${f.locals.map(formatValue).join(', ')}]`,
                ),
              ].join('\n'),
            )
            .join('\n'),
        );
        return EXIT_OK;
      }
      case 'history': {
        const ref = refArg(options, 1, 'history');
        const gens = (await source.generations()).filter(
          (g) => !g.error && (options.at === undefined || g.generation <= options.at),
        );
        const snapshots = [];
        for (const g of gens)
          snapshots.push({ generation: g.generation, heap: (await source.load(g.generation)).heap });
        const entries = objectHistory(ref, snapshots);
        emit({ ref: formatRef(ref), history: entries }, () =>
          entries
            .map((e) =>
              e.value
                ? `gen ${e.generation}: ${e.newObject ? '(a new object at this address) ' : ''}${e.value.className} ${e.value.text !== undefined ? JSON.stringify(e.value.text) : e.value.fields.map((f) => `${f.name}=${formatValue(f.value)}`).join(' ')}`
                : `gen ${e.generation}: (no such object)`,
            )
            .join('\n'),
        );
        return EXIT_OK;
      }
      case 'diff': {
        const { generation: a, heap: before } = await loadGenArg(options.positional[1], 'diff', source);
        const { generation: b, heap: after } = await loadGenArg(options.positional[2], 'diff', source);
        const from = options.reachable;
        if (typeof from === 'number' && (before.indexOf(from) < 0 || after.indexOf(from) < 0))
          throw new Error(`no object at ${formatRef(from)} in both generations ${a} and ${b}`);
        const diff = diffHeaps(before, after, from === undefined ? {} : { reachableFrom: from });
        const scope =
          options.reachable === undefined
            ? ''
            : options.reachable === 'root'
              ? ' (reachable from the root)'
              : ` (reachable from ${formatRef(options.reachable)})`;
        emit(
          {
            from: a,
            to: b,
            ...(from === undefined ? {} : { reachableFrom: from === 'root' ? 'root' : formatRef(from) }),
            ...diff,
          },
          () =>
            [
              `gen ${a} → gen ${b}${scope}: ${diff.added} added, ${diff.removed} removed, ${diff.changed} changed`,
              ...diff.byClass.map(
                (c) =>
                  `  ${c.className}: +${c.added.length} -${c.removed.length} ~${c.changed.length} (${c.bytesDelta >= 0 ? '+' : ''}${c.bytesDelta} bytes)`,
              ),
            ].join('\n'),
        );
        return EXIT_OK;
      }
      case 'when': {
        const ref = refArg(options, 1, 'when');
        const targetText = options.positional[2];
        const target = targetText === undefined ? undefined : parseTarget(targetText);
        if (!target)
          throw new UsageError(
            `when takes what to follow after the object: .field, [index], ["entry"] or reachable, got ${targetText ?? 'nothing'}`,
          );
        if (options.positional.length > 3) throw new UsageError(`unexpected ${options.positional[3]}`);
        if (options.equals !== undefined && options.all)
          throw new UsageError('--equals and --all do not go together');
        let mode: WhenMode = { kind: 'last' };
        if (options.all) mode = { kind: 'all' };
        if (options.equals !== undefined) {
          const value = parseLiteral(options.equals);
          if (!value)
            throw new UsageError(
              `--equals takes an integer (${L.SMALLINT_MIN}..${L.SMALLINT_MAX}), null, true, false or @0x…, got ${options.equals}`,
            );
          mode = { kind: 'equals', value };
        }
        if (!source.when) throw new Error('this source has no store disk to search');
        const answer = await source.when(ref, target, mode, options.at);
        emit(answer, () => formatWhen(answer));
        return EXIT_OK;
      }
      case undefined:
        throw new UsageError('a command is missing');
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      error(`phantom inspect: ${err.message}\n${INSPECT_USAGE}`);
      return EXIT_USAGE;
    }
    error(`phantom inspect: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_FAILED;
  }
}

function formatChange(c: WhenChange): string {
  return `gen ${c.before} → gen ${c.after}: ${formatWhenValue(c.from)} → ${formatWhenValue(c.to)}`;
}

/** A when answer as lines of text: what was asked, the change (or changes) and what it cost. */
export function formatWhen(a: WhenOnDisk): string {
  const lines = [
    `${a.ref} ${a.className} ${a.target} = ${formatWhenValue(a.now)} in gen ${a.newest}; searched ${a.generations} kept generations of this branch (gen ${a.oldest} … gen ${a.newest})`,
  ];
  if (a.change)
    lines.push(
      `changed between ${formatChange(a.change)}`,
      `their diff: phantom inspect <machine> diff gen:${a.change.before} gen:${a.change.after} --reachable`,
    );
  for (const c of a.changes ?? []) lines.push(`  ${formatChange(c)}`);
  if (a.note) lines.push(a.note);
  lines.push(`${a.probes} generations probed, ${a.reads.pages} pages read (${a.reads.blocks} store blocks)`);
  return lines.join('\n');
}

/** Class names equal to `wanted`, or else containing it (case-insensitive), as the studio's search matches them. */
function matchingClasses(heap: HeapSnapshot, wanted: string): string[] {
  const names = new Set<string>();
  for (let v = 0; v < heap.count; v++) names.add(heap.className(heap.classOf[v]!));
  if (names.has(wanted)) return [wanted];
  const needle = wanted.toLowerCase();
  return [...names].filter((n) => n.toLowerCase().includes(needle));
}
