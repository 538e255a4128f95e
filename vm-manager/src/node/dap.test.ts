/**
 * `phantom dap` driven as an editor drives it: a child process spoken to over stdin/stdout, against
 * a real machine (the counter image, booted in QEMU) — attach, threads, pause, a stack trace in
 * counter.ph, scopes and values, continue, disconnect leaving the machine running; two adapters at
 * one machine at once; hostile messages answered with errors while the adapter and the machine go
 * on; breakpoints set, hit, stepped from and cleared in the kernel (read back with LIST_BREAKPOINTS),
 * moved off lines without code, refused when hostile; and launch, which creates and boots a machine
 * and runs a program in it (its locals named and scoped from the debug info, an array paged, a
 * string), with exited/terminated when it stops; one thread paused alone while the other runs, stepped
 * from its pause, continued alone (singleThread) and with every other (allThreadsContinued);
 * setVariable of a stopped frame's local and of a field, with the kernel's refusals; exception
 * stops ('all' at a caught throw, 'uncaught' at the one that ends the thread) with exceptionInfo;
 * and the breakpoints of an adapter killed with -9 cleared by the next one to attach.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BreakpointInfo } from '@phantom/inspector/common/debug-protocol.js';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { seededRandom } from '@phantom/lang/common/seeded-random.js';
import {
  BOOT_DEADLINE_MS,
  runPhantom,
  spawnPhantomDap,
  type TestState,
  temporaryState,
} from '../test-support/fixtures.js';
import { SOURCE_ROOT } from './build.js';
import { pollUntil } from './process-watch.js';

const PHC = join(SOURCE_ROOT, 'lang', 'bin', 'phc.mjs');
const KERNEL = join(SOURCE_ROOT, 'kernel-src', 'build', 'phantom.elf');

let state: TestState;

interface Message {
  seq: number;
  type: string;
  command?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  event?: string;
  // biome-ignore lint/suspicious/noExplicitAny: DAP bodies are read field by field in the tests
  body?: any;
}

/** A DAP client over a `phantom dap` child, as an editor is one. */
class Adapter {
  readonly child: ChildProcessWithoutNullStreams;
  readonly messages: Message[] = [];
  private buffer = Buffer.alloc(0);
  private seq = 1;
  private readonly waiting: (() => void)[] = [];
  private readonly errors: () => string;

  constructor() {
    ({ child: this.child, stderr: this.errors } = spawnPhantomDap(state.root));
    this.child.stdout.on('data', (d: Buffer) => this.read(d));
  }

  private read(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) break;
      const length = Number(/Content-Length: (\d+)/.exec(this.buffer.subarray(0, end).toString())?.[1]);
      assert.ok(
        Number.isInteger(length),
        `the adapter writes only DAP on stdout: ${this.buffer.toString().slice(0, 200)}`,
      );
      if (this.buffer.length < end + 4 + length) break;
      this.messages.push(JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString()));
      this.buffer = this.buffer.subarray(end + 4 + length);
    }
    for (const wake of this.waiting.splice(0)) wake();
  }

  get stderr(): string {
    return this.errors();
  }

  writeRaw(bytes: string | Buffer): void {
    this.child.stdin.write(bytes);
  }

  /** Sends a request; resolves to its response. */
  request(command: string, args?: unknown): Promise<Message> {
    const seq = this.seq++;
    const json = JSON.stringify({
      seq,
      type: 'request',
      command,
      ...(args === undefined ? {} : { arguments: args }),
    });
    this.writeRaw(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
    return this.waitFor((m) => m.type === 'response' && m.request_seq === seq, `the response to ${command}`);
  }

  async ok(command: string, args?: unknown): Promise<Message> {
    const response = await this.request(command, args);
    assert.equal(response.success, true, `${command} failed: ${response.message}\n${this.stderr}`);
    return response;
  }

  async waitFor(
    match: (m: Message) => boolean,
    what: string,
    timeoutMs = BOOT_DEADLINE_MS,
  ): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      assert.ok(left > 0, `no ${what} within ${timeoutMs} ms; stderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves to the exit code once the process has ended (killed after the deadline). */
  exited(timeoutMs = 20_000): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }
}

const adapters: Adapter[] = [];
function adapter(): Adapter {
  const a = new Adapter();
  adapters.push(a);
  return a;
}

async function phantom(...args: string[]): Promise<string> {
  const result = await runPhantom(args, { ...process.env, PHANTOM_STATE_DIR: state.root });
  assert.equal(result.code, 0, `phantom ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

async function newestTick(machine: string): Promise<number> {
  const log = await readFile(join(state.root, 'machines', machine, 'logs', 'console.log'), 'utf8').catch(
    () => '',
  );
  return [...log.matchAll(/tick (\d+)\r?\n/g)].reduce((n, m) => Math.max(n, Number(m[1])), -1);
}

/** Waits until the counter prints past `tick`: the machine runs. */
async function ticksPast(machine: string, tick: number): Promise<number> {
  let newest = -1;
  const ok = await pollUntil(
    async () => {
      newest = await newestTick(machine);
      return newest > tick;
    },
    BOOT_DEADLINE_MS,
    100,
  );
  assert.ok(ok, `'${machine}' did not tick past ${tick}`);
  return newest;
}

before(async () => {
  state = await temporaryState();
  await phantom('up', 'demo', '--image', 'counter');
  await ticksPast('demo', 2);
});

after(async () => {
  for (const a of adapters) if (a.child.exitCode === null) a.child.kill('SIGKILL');
  await state.cleanup();
});

async function attached(name = 'demo'): Promise<Adapter> {
  const a = adapter();
  const init = await a.ok('initialize', { adapterID: 'phantom', pathFormat: 'path', linesStartAt1: true });
  assert.equal(init.body.supportsConfigurationDoneRequest, true);
  assert.equal(init.body.supportsLoadedSourcesRequest, true);
  await a.ok('attach', { machine: name });
  await a.ok('configurationDone');
  return a;
}

test('attach, pause, stack trace in counter.ph, values, continue, disconnect', {
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const a = await attached();
  const threads = (await a.ok('threads')).body.threads as { id: number; name: string }[];
  assert.ok(threads.length >= 1, 'the counter thread');
  const thread = threads[0]!.id;
  // A pause without a thread pauses the whole machine (PAUSE).
  await a.ok('pause', {});
  const stopped = await a.waitFor((m) => m.event === 'stopped', 'a stopped event');
  assert.equal(stopped.body.reason, 'pause');
  assert.equal(stopped.body.allThreadsStopped, true);

  const trace = await a.ok('stackTrace', { threadId: thread });
  const top = trace.body.stackFrames[0];
  assert.equal(top.source?.name, 'counter.ph');
  assert.match(top.source.path, /lang\/examples\/counter\.ph$/);
  assert.match(top.name, /^\.demo\.counter\.(run|tick)$/);
  // run()'s loop is lines 16..19 of counter.ph, tick() 22..25.
  assert.ok(top.line >= 16 && top.line <= 25, `line ${top.line}`);
  assert.ok(top.column >= 5, 'a statement column');

  const scopes = (await a.ok('scopes', { frameId: top.id })).body.scopes as {
    name: string;
    variablesReference: number;
  }[];
  assert.deepEqual(
    scopes.map((s) => s.name),
    ['Arguments', 'Locals'],
  );
  const args = (await a.ok('variables', { variablesReference: scopes[0]!.variablesReference })).body
    .variables;
  const self = args.find((v: { name: string }) => v.name === 'this');
  assert.match(self.value, /^\.demo\.counter @0x/);
  assert.equal(`@${self.memoryReference}`, self.value.split(' ').at(-1), 'an object says where it lies');
  const fields = (await a.ok('variables', { variablesReference: self.variablesReference })).body.variables;
  const count = fields.find((v: { name: string }) => v.name === 'count');
  assert.match(count.value, /^\d+$/, 'count is a number');
  assert.ok(Number(count.value) >= 2);
  assert.equal(count.memoryReference, undefined, 'an int lies nowhere');

  const evaluated = await a.ok('evaluate', { expression: 'this.count * 2 + 1', frameId: top.id });
  assert.equal(evaluated.body.result, String(Number(count.value) * 2 + 1));
  const paused = await newestTick('demo');

  const sources = (await a.ok('loadedSources')).body.sources as { name: string }[];
  assert.deepEqual(
    sources.map((s) => s.name),
    ['counter.ph'],
  );
  const step = await a.request('next', { threadId: thread });
  assert.equal(step.success, false, 'a world pause is no stop a thread steps from');
  assert.match(step.message ?? '', /not stopped at a breakpoint/);

  await a.ok('continue', { threadId: thread });
  await a.waitFor((m) => m.event === 'output' && /tick \d+/.test(m.body.output), 'console output');
  await a.ok('disconnect');
  assert.equal(await a.exited(), 0);
  await ticksPast('demo', paused + 2);
  assert.match(await phantom('status', 'demo'), /running/);
});

/** The kernel's own breakpoint list, read through the machine's channel broker as any client would. */
async function kernelBreakpoints(): Promise<BreakpointInfo[]> {
  const { client } = await DebugClient.connect(
    join(state.root, 'machines', 'demo', 'run', 'channel.sock'),
    60_000,
  );
  try {
    return await client.listBreakpoints();
  } finally {
    client.close();
  }
}

test('a breakpoint in the loop stops the thread; next steps; cleared in the kernel; continue', {
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const a = await attached();
  const path = ((await a.ok('loadedSources')).body.sources as { path: string }[])[0]!.path;
  // Line 17 is `this.tick();` in run()'s loop, 18 `time.sleep(100);`.
  const set = await a.ok('setBreakpoints', { source: { path }, breakpoints: [{ line: 17 }] });
  const bp = set.body.breakpoints[0];
  assert.equal(bp.verified, true, bp.message);
  assert.equal(bp.line, 17);
  assert.equal((await kernelBreakpoints()).length, 1, 'one breakpoint in the kernel');
  const stopped = await a.waitFor((m) => m.event === 'stopped', 'a stop at the breakpoint');
  assert.equal(stopped.body.reason, 'breakpoint');
  assert.deepEqual(stopped.body.hitBreakpointIds, [bp.id]);
  const thread = stopped.body.threadId as number;

  const countAt = async (): Promise<{ line: number; count: number }> => {
    const top = (await a.ok('stackTrace', { threadId: thread })).body.stackFrames[0];
    assert.match(top.name, /^\.demo\.counter\.run$/);
    const scopes = (await a.ok('scopes', { frameId: top.id })).body.scopes;
    const args = (await a.ok('variables', { variablesReference: scopes[0].variablesReference })).body
      .variables;
    const self = args.find((v: { name: string }) => v.name === 'this');
    const fields = (await a.ok('variables', { variablesReference: self.variablesReference })).body.variables;
    const count = fields.find((v: { name: string }) => v.name === 'count');
    assert.equal(count.type, 'int');
    return { line: top.line, count: Number(count.value) };
  };
  const before = await countAt();
  assert.equal(before.line, 17);
  assert.ok(before.count >= 2, `count ${before.count}`);

  // No breakpoints from here on, so the step ends on its own and continue lets the thread go.
  await a.ok('setBreakpoints', { source: { path }, breakpoints: [] });
  assert.deepEqual(await kernelBreakpoints(), [], 'LIST_BREAKPOINTS is empty');
  const seen = a.messages.length;
  await a.ok('next', { threadId: thread });
  const stepped = await a.waitFor(
    (m) => a.messages.indexOf(m) >= seen && m.event === 'stopped',
    'a stop after next',
  );
  assert.equal(stepped.body.reason, 'step');
  assert.equal(stepped.body.threadId, thread);
  const after = await countAt();
  assert.equal(after.line, 18, 'next went over tick() to the sleep');
  assert.equal(after.count, before.count + 1, 'tick() ran once');

  const ticked = await newestTick('demo');
  const continuedFrom = a.messages.length;
  await a.ok('continue', { threadId: thread });
  await a.waitFor(
    (m) => a.messages.indexOf(m) >= continuedFrom && m.event === 'continued',
    'a continued event',
  );
  await ticksPast('demo', ticked + 2);
  await a.ok('disconnect');
  assert.equal(await a.exited(), 0);
});

test('a breakpoint on a line without code is moved or unverified; hostile ones are refused', {
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const a = await attached();
  const path = ((await a.ok('loadedSources')).body.sources as { path: string }[])[0]!.path;
  const ticked = await newestTick('demo');
  for (const [what, bad, pattern] of [
    ['no path', { source: {}, breakpoints: [{ line: 17 }] }, /'path'/],
    [
      'a line that is not a number',
      { source: { path }, breakpoints: [{ line: 17 }, { line: 'x' }] },
      /'line'/,
    ],
    ['a line of 0', { source: { path }, breakpoints: [{ line: 0 }] }, /'line'/],
    ['breakpoints not a list', { source: { path }, breakpoints: 'all' }, /'breakpoints'/],
    ['too many', { source: { path }, breakpoints: Array(65).fill({ line: 17 }) }, /at most 64/],
    [
      'a condition not a string',
      { source: { path }, breakpoints: [{ line: 17, condition: 3 }] },
      /'condition'/,
    ],
  ] as const) {
    const r = await a.request('setBreakpoints', bad);
    assert.equal(r.success, false, what);
    assert.match(r.message ?? '', pattern, what);
  }
  assert.deepEqual(await kernelBreakpoints(), [], 'refused requests set nothing');

  // A condition the kernel cannot evaluate, and a line after the last code, are unverified saying
  // why; 26 is the class's closing `};`.
  const odd = await a.ok('setBreakpoints', {
    source: { path },
    breakpoints: [
      { line: 17, condition: 'this.count > 3' },
      { line: 17, hitCondition: 'often' },
      { line: 26 },
    ],
  });
  const [cond, hits, end] = odd.body.breakpoints;
  assert.equal(cond.verified, false);
  assert.match(cond.message, /not 'local OP integer'/);
  assert.equal(hits.verified, false);
  assert.match(hits.message, /not a count/);
  assert.equal(end.verified, false);
  assert.match(end.message, /no code on line 26/);
  assert.deepEqual(await kernelBreakpoints(), []);

  // Line 21 is blank, between run() and tick(), and 22 is tick()'s header: the breakpoint moves
  // to `count++` (line 23).
  const moved = (await a.ok('setBreakpoints', { source: { path }, breakpoints: [{ line: 21 }] })).body
    .breakpoints[0];
  assert.equal(moved.verified, true, moved.message);
  assert.equal(moved.line, 23);
  assert.match(moved.message, /moved from line 21/);
  const stopped = await a.waitFor((m) => m.event === 'stopped', 'a stop at the moved breakpoint');
  assert.equal(stopped.body.reason, 'breakpoint');
  const top = (await a.ok('stackTrace', { threadId: stopped.body.threadId })).body.stackFrames[0];
  assert.equal(top.line, 23);
  assert.match(top.name, /\.tick$/);

  // Cleared first: the thread comes back to line 23 every tick and would stop there again.
  await a.ok('setBreakpoints', { source: { path }, breakpoints: [] });
  await a.ok('continue', { threadId: stopped.body.threadId });

  // A logpoint prints its message each time and the thread goes on; from the 2nd hit with '>= 2'.
  const logFrom = a.messages.length;
  const log = (
    await a.ok('setBreakpoints', {
      source: { path },
      breakpoints: [{ line: 17, logMessage: 'loop again', hitCondition: '>= 2' }],
    })
  ).body.breakpoints[0];
  assert.equal(log.verified, true, log.message);
  const logged = () =>
    a.messages.filter((m, i) => i >= logFrom && m.event === 'output' && m.body.output === 'loop again\n');
  await a.waitFor(() => logged().length >= 3, 'three logpoint lines');
  assert.equal(
    a.messages.filter((m, i) => i >= logFrom && m.event === 'stopped').length,
    0,
    'a logpoint does not stop',
  );
  const [entry] = await kernelBreakpoints();
  assert.equal(entry?.hitCount, 2);
  assert.ok((entry?.hits ?? 0) >= 4, `hits ${entry?.hits}: the first is counted, not logged`);

  // Disconnecting takes the session's breakpoint with it and lets the thread go.
  await a.ok('disconnect');
  assert.equal(await a.exited(), 0);
  assert.deepEqual(await kernelBreakpoints(), []);
  await ticksPast('demo', ticked + 2);
});

test('an adapter that attaches to a stopped thread is told it is stopped (STOPPED)', {
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const a = await attached();
  const path = ((await a.ok('loadedSources')).body.sources as { path: string }[])[0]!.path;
  await a.ok('setBreakpoints', { source: { path }, breakpoints: [{ line: 17 }] });
  const stopped = await a.waitFor((m) => m.event === 'stopped', 'a stop at the breakpoint');
  await a.ok('setBreakpoints', { source: { path }, breakpoints: [] });

  const b = await attached();
  const told = await b.waitFor((m) => m.event === 'stopped', 'the stop, told on attach');
  assert.equal(told.body.reason, 'breakpoint');
  assert.equal(told.body.threadId, stopped.body.threadId);
  const top = (await b.ok('stackTrace', { threadId: told.body.threadId })).body.stackFrames[0];
  assert.equal(top.line, 17);

  // a's disconnect lets the thread it stopped go; b hears it.
  const ticked = await newestTick('demo');
  await a.ok('disconnect');
  assert.equal(await a.exited(), 0);
  await b.waitFor((m) => m.event === 'continued', 'the continued event');
  await ticksPast('demo', ticked + 2);
  await b.ok('disconnect');
  assert.equal(await b.exited(), 0);
});

test('two adapters at one machine at once', { timeout: 4 * BOOT_DEADLINE_MS }, async () => {
  const [a, b] = await Promise.all([attached(), attached()]);
  const thread = (await a.ok('threads')).body.threads[0].id;
  assert.equal((await b.ok('threads')).body.threads[0].id, thread);
  await a.ok('pause', {});
  const seen = await b.waitFor((m) => m.event === 'stopped', "b's stopped event", 10_000);
  assert.equal(seen.body.description, 'Paused by another client');
  assert.equal(a.messages.filter((m) => m.event === 'stopped').length, 1, 'a, which paused, hears it once');
  const [ta, tb] = await Promise.all([
    a.ok('stackTrace', { threadId: thread }),
    b.ok('stackTrace', { threadId: thread }),
  ]);
  assert.deepEqual(
    [ta.body.stackFrames[0].line, ta.body.stackFrames[0].name],
    [tb.body.stackFrames[0].line, tb.body.stackFrames[0].name],
    'both see the same paused frame',
  );
  // b did not pause the world, so its continue cannot end a's pause: it says so.
  await b.ok('continue', { threadId: thread });
  await b.waitFor((m) => m.event === 'output' && /stays paused/.test(m.body.output), 'the stays-paused note');
  const tick = await newestTick('demo');
  await a.ok('continue', { threadId: thread });
  await ticksPast('demo', tick + 1);
  await b.waitFor((m) => m.event === 'continued', "b's continued event", 10_000);
  assert.ok(!a.messages.some((m) => m.event === 'continued'), 'a continued itself: no event (DAP)');
  await Promise.all([a.ok('disconnect'), b.ok('disconnect')]);
  assert.deepEqual(await Promise.all([a.exited(), b.exited()]), [0, 0]);
});

test('hostile messages get error responses; the adapter and the machine go on', {
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const a = await attached();
  const errorsBefore = () => a.messages.filter((m) => m.type === 'response' && m.success === false).length;
  let errors = errorsBefore();
  const nextError = async (what: string, pattern: RegExp): Promise<void> => {
    const want = errors + 1;
    await a.waitFor(
      () => a.messages.filter((m) => m.type === 'response' && m.success === false).length >= want,
      `an error response to ${what}`,
      10_000,
    );
    const error = a.messages.filter((m) => m.type === 'response' && m.success === false)[want - 1]!;
    assert.match(error.message ?? '', pattern, what);
    errors = want;
  };
  a.writeRaw('Content-Length: 9\r\n\r\n{"seq":1,');
  await nextError('malformed JSON', /not JSON/);
  a.writeRaw('Content-Length: 2\r\n\r\n[]');
  await nextError('an array', /JSON object/);
  a.writeRaw('Content-Length: abc\r\n\r\n');
  await nextError('a bad header', /not a number/);
  const huge = 8 * 1024 * 1024;
  a.writeRaw(`Content-Length: ${huge}\r\n\r\n`);
  const chunk = Buffer.alloc(256 * 1024, 'x');
  for (let sent = 0; sent < huge; sent += chunk.length) a.writeRaw(chunk);
  await nextError('a huge frame', /at most/);

  const bad: [string, unknown, RegExp][] = [
    ['frobnicate', {}, /unknown command 'frobnicate'/],
    ['stackTrace', { threadId: 'one' }, /threadId/],
    ['stackTrace', { threadId: 999_999 }, /no thread/],
    ['variables', { variablesReference: -3 }, /variablesReference/],
    ['variables', { variablesReference: 424242 }, /no variables/],
    ['scopes', {}, /frameId/],
    ['attach', { machine: 5 }, /machine/],
    ['attach', { machine: 'demo' }, /already attached/],
    ['evaluate', { expression: 'this.(', frameId: 1 }, /cannot evaluate/],
    ['evaluate', { expression: 'count' }, /needs a frame/],
    ['setBreakpoints', { source: {}, breakpoints: 'all' }, /array/],
    ['setExceptionBreakpoints', { filters: ['everything'] }, /unknown exception filter/],
    ['setVariable', { variablesReference: 424242, name: 'x', value: '1' }, /no variables/],
    ['setVariable', { variablesReference: 1, name: 'x', value: '@zz' }, /no variables|cannot evaluate/],
    ['setVariable', { variablesReference: 1, name: 7, value: '1' }, /'name'/],
  ];
  for (const [command, args, pattern] of bad) {
    const response = await a.request(command, args);
    assert.equal(response.success, false, command);
    assert.match(response.message ?? '', pattern, `${command} ${JSON.stringify(args)}`);
    errors++;
  }
  const tick = await newestTick('demo');
  assert.ok((await a.ok('threads')).body.threads.length >= 1, 'the adapter still serves');
  await ticksPast('demo', tick + 1);
  await a.ok('disconnect');
  assert.equal(await a.exited(), 0);
});

test('fuzz: random arguments to every command are each answered; the session and the machine go on', {
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const a = await attached();
  const random = seededRandom(18);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const atoms: unknown[] = [
    0,
    1,
    -1,
    999,
    1000,
    1001,
    2 ** 31,
    1.5,
    '',
    'x',
    'this.count',
    null,
    true,
    [],
    {},
  ];
  const keys = [
    'threadId',
    'frameId',
    'variablesReference',
    'start',
    'count',
    'levels',
    'startFrame',
    'expression',
    'machine',
    'source',
    'breakpoints',
    'filters',
    'line',
    'path',
    'name',
    'value',
    'filter',
  ];
  const value = (depth: number): unknown => {
    if (depth > 2 || random() < 0.6) return pick(atoms);
    if (random() < 0.5) return Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(random() * 4) }, () => [pick(keys), value(depth + 1)]),
    );
  };
  const commands = [
    'threads',
    'stackTrace',
    'scopes',
    'variables',
    'evaluate',
    'pause',
    'continue',
    'next',
    'stepIn',
    'stepOut',
    'setBreakpoints',
    'setExceptionBreakpoints',
    'loadedSources',
    'setVariable',
    'attach',
    'launch',
    'configurationDone',
    'source',
    'restart',
    'completions',
  ];
  let failed = 0;
  for (let round = 0; round < 200; round++) {
    const args = Object.fromEntries(
      Array.from({ length: Math.floor(random() * 5) }, () => [pick(keys), value(0)]),
    );
    const response = await a.request(pick(commands), args);
    if (!response.success) {
      failed++;
      assert.ok((response.message ?? '').length > 0, 'an error says why');
    }
  }
  assert.ok(failed > 50, `most random requests are refused (${failed} of 200)`);
  await a.ok('continue', {});
  const tick = await newestTick('demo');
  assert.ok((await a.ok('threads')).body.threads.length >= 1, 'the adapter still serves');
  await ticksPast('demo', tick + 1);
  await a.ok('disconnect');
  assert.equal(await a.exited(), 0);
});

/** A program for launch to install and run: a thread that keeps an array and a string in its frame. */
const SQUARES = `package .t;
import .internal.time;
class squares {
  void run() {
    var items = new int[250];
    for (var i = 0; i < 250; i++) {
      items[i] = i * i;
    }
    var name = "squares";
    while (true) {
      time.sleep(100);
    }
  }
};
`;

test('launch boots a machine and runs a program; locals, arrays paged; its stop ends the session', {
  timeout: 6 * BOOT_DEADLINE_MS,
}, async () => {
  const program = join(state.root, 'squares.ph');
  await writeFile(program, SQUARES);
  const a = adapter();
  await a.ok('initialize', { adapterID: 'phantom', pathFormat: 'path' });
  const missing = await a.request('launch', { machine: 'fresh' });
  assert.equal(missing.success, false);
  assert.match(missing.message ?? '', /give 'image'/);
  await a.ok('launch', { machine: 'fresh', image: 'counter', program });
  await a.waitFor(
    (m) => m.event === 'output' && /started \.t\.squares/.test(m.body.output),
    'launch progress',
  );
  let squares: { id: number; frame: { id: number; line: number; source?: { path: string } } } | undefined;
  const found = await pollUntil(
    async () => {
      const threads = (await a.ok('threads')).body.threads as { id: number }[];
      await a.ok('pause', {});
      for (const t of threads) {
        const top = (await a.ok('stackTrace', { threadId: t.id })).body.stackFrames[0];
        if (top?.name === '.t.squares.run' && top.line === 11) squares = { id: t.id, frame: top };
      }
      if (squares === undefined) await a.ok('continue', {});
      return squares !== undefined;
    },
    BOOT_DEADLINE_MS,
    200,
  );
  assert.ok(found && squares, 'the program reached its loop');
  assert.equal(
    squares.frame.source?.path,
    program,
    'the frame is in the launched file, line 11 (time.sleep)',
  );
  const scopes = (await a.ok('scopes', { frameId: squares.frame.id })).body.scopes;
  const locals = (await a.ok('variables', { variablesReference: scopes[1].variablesReference })).body
    .variables as {
    name: string;
    value: string;
    variablesReference: number;
    indexedVariables?: number;
  }[];
  assert.deepEqual(
    locals.map((v) => v.name),
    ['items', 'name'],
    "the loop's i is out of scope at the sleep and not shown",
  );
  const items = locals[0]!;
  assert.equal(items.indexedVariables, 250);
  assert.match(items.value, /^int\[\] \(length 250\)/);
  assert.equal(locals[1]!.value, '"squares"');
  const page = (
    await a.ok('variables', {
      variablesReference: items.variablesReference,
      filter: 'indexed',
      start: 100,
      count: 50,
    })
  ).body.variables as { name: string; value: string }[];
  assert.equal(page.length, 50);
  assert.deepEqual([page[0]!.name, page[0]!.value], ['[100]', '10000']);
  assert.deepEqual([page[49]!.name, page[49]!.value], ['[149]', String(149 * 149)]);
  const evaluated = await a.ok('evaluate', {
    expression: 'items[3] + items.length + name.length',
    frameId: squares.frame.id,
  });
  assert.equal(evaluated.body.result, String(9 + 250 + 7));
  const outside = await a.request('evaluate', { expression: 'items[250]', frameId: squares.frame.id });
  assert.match(outside.message ?? '', /outside 0\.\.249/);
  // An adapter that attaches later knows only the machine's image (counter.ph), not the launched
  // file: it reads the installed methods' own METHOD_DEBUG, which INSTALL_CLASS built from the blob.
  const later = await attached('fresh');
  const seen = (await later.ok('stackTrace', { threadId: squares.id })).body.stackFrames[0];
  assert.deepEqual([seen.source?.path, seen.line, seen.column], [program, 11, 7]);
  const laterScopes = (await later.ok('scopes', { frameId: seen.id })).body.scopes;
  const laterLocals = (await later.ok('variables', { variablesReference: laterScopes[1].variablesReference }))
    .body.variables as { name: string }[];
  assert.deepEqual(
    laterLocals.map((v) => v.name),
    ['items', 'name'],
  );
  await later.ok('disconnect');
  assert.equal(await later.exited(), 0);
  await a.ok('continue', {});
  assert.ok(
    a.messages.some(
      (m) => m.event === 'thread' && m.body.reason === 'started' && m.body.threadId === squares?.id,
    ),
    "the program's thread was announced",
  );
  await phantom('down', 'fresh');
  await a.waitFor((m) => m.event === 'exited', 'an exited event');
  await a.waitFor((m) => m.event === 'terminated', 'a terminated event');
  await a.ok('disconnect');
  assert.equal(await a.exited(), 0);
});

/** A program whose frame holds locals of nested blocks; its image is built from a file then deleted. */
const LOOP = `package .own;
import .internal.time;
class loop {
  void run() {
    var total = 0;
    for (var i = 0; i < 1000000000; i++) {
      var step = i % 7;
      total = total + step;
      time.sleep(50);
    }
  }
};
`;

const COUNTING = `package .t;
import .internal.time;
class counting {
  void run() {
    var total = 0;
    for (var i = 0; i < 1000000; i++) {
      total = total + i;
      time.sleep(20);
    }
  }
};
`;

test('a conditional breakpoint stops where the local says; FRAME types the locals', {
  timeout: 6 * BOOT_DEADLINE_MS,
}, async () => {
  const { a, program } = await launchedWith('counting', COUNTING);
  const stopAt = async (
    condition: string,
    resume?: number,
  ): Promise<{ thread: number; i: number; total: number }> => {
    // The stop may come before the response: the thread can be at the line as the kernel sets it.
    const from = a.messages.length;
    const bp = (
      await a.ok('setBreakpoints', { source: { path: program }, breakpoints: [{ line: 7, condition }] })
    ).body.breakpoints[0];
    assert.equal(bp.verified, true, bp.message);
    if (resume !== undefined) await a.ok('continue', { threadId: resume });
    const stopped = await a.waitFor(
      (m) => a.messages.indexOf(m) >= from && m.event === 'stopped',
      `a stop where ${condition}`,
    );
    assert.equal(stopped.body.reason, 'breakpoint');
    const thread = stopped.body.threadId as number;
    const top = (await a.ok('stackTrace', { threadId: thread })).body.stackFrames[0];
    assert.equal(top.line, 7);
    const scopes = (await a.ok('scopes', { frameId: top.id })).body.scopes;
    const locals = (await a.ok('variables', { variablesReference: scopes[1].variablesReference })).body
      .variables as { name: string; value: string; type: string }[];
    assert.deepEqual(
      locals.map((v) => [v.name, v.type]),
      [
        ['total', 'int'],
        ['i', 'int'],
      ],
    );
    const [total, i] = locals.map((v) => Number(v.value)) as [number, number];
    return { thread, i, total };
  };
  const first = await stopAt('i >= 3');
  assert.ok(first.i >= 3, `i ${first.i}`);
  assert.equal(first.total, (first.i * (first.i - 1)) / 2, 'total is the sum below i');
  const target = first.i + 5;
  // The new breakpoint replaces the first before the thread goes on.
  const second = await stopAt(`i == ${target}`, first.thread);
  assert.equal(second.i, target, 'stopped exactly where i == target');
  await a.ok('disconnect', { terminateDebuggee: true });
  assert.equal(await a.exited(), 0);
});

test('a machine whose sources are gone is debugged from its own state (METHOD_DEBUG)', {
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const dir = join(state.root, 'gone');
  await mkdir(dir, { recursive: true });
  const source = join(dir, 'loop.ph');
  const image = join(dir, 'loop.img');
  await writeFile(source, LOOP);
  const phc = spawnSync(process.execPath, [PHC, 'image', source, '--main', '.own.loop', '-o', image], {
    encoding: 'utf8',
  });
  assert.equal(phc.status, 0, phc.stderr);
  await rm(source);
  await phantom('up', 'own', '--kernel', KERNEL, '--image-file', image);
  const a = await attached('own');
  let top: { id: number; name: string; line: number; column: number; source?: { path: string } } | undefined;
  const stopped = await pollUntil(
    async () => {
      const thread = (await a.ok('threads')).body.threads[0]?.id;
      if (thread === undefined) return false;
      await a.ok('pause', { threadId: thread });
      top = (await a.ok('stackTrace', { threadId: thread })).body.stackFrames[0];
      if (top?.line === 9) return true;
      await a.ok('continue', { threadId: thread });
      return false;
    },
    BOOT_DEADLINE_MS,
    200,
  );
  assert.ok(stopped && top, `the loop reached time.sleep: ${JSON.stringify(top)}`);
  assert.equal(top.name, '.own.loop.run');
  assert.equal(top.source?.path, source, 'the file the machine was built from, though it is gone');
  assert.equal(top.column, 7);
  const scopes = (await a.ok('scopes', { frameId: top.id })).body.scopes;
  const locals = (await a.ok('variables', { variablesReference: scopes[1].variablesReference })).body
    .variables as {
    name: string;
    value: string;
  }[];
  assert.deepEqual(
    locals.map((v) => v.name),
    ['total', 'i', 'step'],
  );
  const [total, i, step] = locals.map((v) => Number(v.value)) as [number, number, number];
  assert.equal(step, i % 7);
  assert.ok(total >= step);

  // Breakpoints are placed from the methods' own statement tables too: line 8 of the gone file.
  const bp = (await a.ok('setBreakpoints', { source: { path: source }, breakpoints: [{ line: 8 }] })).body
    .breakpoints[0];
  assert.equal(bp.verified, true, bp.message);
  const from = a.messages.length;
  await a.ok('continue', {});
  const hit = await a.waitFor(
    (m) => a.messages.indexOf(m) >= from && m.event === 'stopped' && m.body.reason === 'breakpoint',
    'a stop at line 8',
  );
  const atBreakpoint = (await a.ok('stackTrace', { threadId: hit.body.threadId })).body.stackFrames[0];
  assert.deepEqual([atBreakpoint.source?.path, atBreakpoint.line], [source, 8]);
  await a.ok('setBreakpoints', { source: { path: source }, breakpoints: [] });
  await a.ok('continue', { threadId: hit.body.threadId });
  await a.ok('disconnect');
  assert.equal(await a.exited(), 0);
});

/**
 * An adapter that launched machine `name` from the counter image with `source` (written to
 * NAME.ph, package .t) installed and run, once its first class has started; and initialize's
 * capabilities.
 */
async function launchedWith(
  name: string,
  source: string,
): Promise<{ a: Adapter; program: string; capabilities: Message['body'] }> {
  const program = join(state.root, `${name}.ph`);
  await writeFile(program, source);
  const a = adapter();
  const capabilities = (await a.ok('initialize', { adapterID: 'phantom', pathFormat: 'path' })).body;
  await a.ok('launch', { machine: name, image: 'counter', program });
  const main = /^class (\w+)/m.exec(source)?.[1] ?? '';
  await a.waitFor((m) => m.event === 'output' && m.body.output.includes(`started .t.${main}`), 'the program');
  return { a, program, capabilities };
}

test('pause one thread: the other runs on; it steps; continue one thread, then all', {
  timeout: 6 * BOOT_DEADLINE_MS,
}, async () => {
  const { a, capabilities } = await launchedWith('pair', COUNTING);
  assert.equal(capabilities.supportsSingleThreadExecutionRequests, true);
  const threads = (await a.ok('threads')).body.threads as { id: number }[];
  const tops = await Promise.all(
    threads.map(async (t) => ({
      id: t.id,
      name: (await a.ok('stackTrace', { threadId: t.id })).body.stackFrames[0]?.name as string,
    })),
  );
  const counting = tops.find((t) => t.name === '.t.counting.run')?.id;
  const counter = tops.find((t) => /^\.demo\.counter\./.test(t.name ?? ''))?.id;
  assert.ok(counting !== undefined && counter !== undefined, JSON.stringify(tops));

  let from = a.messages.length;
  await a.ok('pause', { threadId: counting });
  const paused = await a.waitFor(
    (m) => a.messages.indexOf(m) >= from && m.event === 'stopped',
    'the counting thread stopped',
  );
  assert.deepEqual(
    [paused.body.reason, paused.body.threadId, paused.body.allThreadsStopped],
    ['pause', counting, false],
  );
  const ticked = await newestTick('pair');
  await ticksPast('pair', ticked + 2);
  const iOf = async (): Promise<number> => {
    const top = (await a.ok('stackTrace', { threadId: counting })).body.stackFrames[0];
    const scopes = (await a.ok('scopes', { frameId: top.id })).body.scopes;
    const locals = (await a.ok('variables', { variablesReference: scopes[1].variablesReference })).body
      .variables as { name: string; value: string }[];
    return Number(locals.find((v) => v.name === 'i')?.value);
  };
  const i = await iOf();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await iOf(), i, 'the paused thread does not run');

  // A thread paused alone steps from its pause.
  from = a.messages.length;
  await a.ok('next', { threadId: counting });
  const stepped = await a.waitFor(
    (m) => a.messages.indexOf(m) >= from && m.event === 'stopped',
    'a stop after next',
  );
  assert.deepEqual([stepped.body.reason, stepped.body.threadId], ['step', counting]);

  const alone = await a.request('continue', { threadId: counter, singleThread: true });
  assert.equal(alone.success, false, 'the counter is not stopped');
  assert.match(alone.message ?? '', /not stopped alone/);
  from = a.messages.length;
  const one = await a.ok('continue', { threadId: counting, singleThread: true });
  assert.equal(one.body.allThreadsContinued, false);
  await a.waitFor(
    (m) => a.messages.indexOf(m) >= from && m.event === 'continued' && m.body.threadId === counting,
    'the continued event',
  );
  await pollUntil(async () => (await iOf().catch(() => i)) > i + 2, BOOT_DEADLINE_MS, 200);

  // Both paused, each alone; a continue without singleThread lets both go.
  from = a.messages.length;
  await a.ok('pause', { threadId: counting });
  await a.ok('pause', { threadId: counter });
  await a.waitFor(
    () => a.messages.filter((m, n) => n >= from && m.event === 'stopped').length >= 2,
    'two stops',
  );
  const stoppedAt = await newestTick('pair');
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok((await newestTick('pair')) <= stoppedAt + 1, 'the paused counter does not tick');
  from = a.messages.length;
  const all = await a.ok('continue', { threadId: counter });
  assert.equal(all.body.allThreadsContinued, true);
  await a.waitFor(
    () =>
      new Set(a.messages.filter((m, n) => n >= from && m.event === 'continued').map((m) => m.body.threadId))
        .size >= 2,
    'both threads continued',
  );
  await ticksPast('pair', stoppedAt + 2);
  await a.ok('disconnect', { terminateDebuggee: true });
  assert.equal(await a.exited(), 0);
});

/** A loop with nothing to wait for: continued from its breakpoint, it is back there at once. */
const SPINNING = `package .t;
class spinning {
  void run() {
    var total = 0;
    for (var i = 0; i < 1000000; i++) {
      total = total + i;
    }
  }
};
`;

test('a thread back at its breakpoint before the continue is answered is held: each continue lets it go', {
  timeout: 6 * BOOT_DEADLINE_MS,
}, async () => {
  // The thread stops again before RESUME and STATS, which follow CONTINUE_THREAD, are answered: its
  // new stop must outlive the continue, or the next one leaves it stopped (as the studio's did).
  const { a, program } = await launchedWith('spinning', SPINNING);
  let from = a.messages.length;
  const bp = (await a.ok('setBreakpoints', { source: { path: program }, breakpoints: [{ line: 6 }] })).body
    .breakpoints[0];
  assert.equal(bp.verified, true, bp.message);
  const iAt = async (thread: number): Promise<number> => {
    const top = (await a.ok('stackTrace', { threadId: thread })).body.stackFrames[0];
    assert.equal(top.line, 6);
    const scopes = (await a.ok('scopes', { frameId: top.id })).body.scopes;
    const locals = (await a.ok('variables', { variablesReference: scopes[1].variablesReference })).body
      .variables as { name: string; value: string }[];
    return Number(locals.find((v) => v.name === 'i')?.value);
  };
  let last: number | undefined;
  for (const singleThread of [false, false, false, true, true, false]) {
    const stopped = await a.waitFor(
      (m) => a.messages.indexOf(m) >= from && m.event === 'stopped',
      `a stop at the breakpoint after ${last === undefined ? 'the launch' : `i ${last}`}`,
    );
    assert.equal(stopped.body.reason, 'breakpoint');
    const thread = stopped.body.threadId as number;
    const i = await iAt(thread);
    if (last !== undefined) assert.equal(i, last + 1, 'one more turn of the loop per continue');
    last = i;
    from = a.messages.length;
    await a.ok('continue', { threadId: thread, ...(singleThread ? { singleThread } : {}) });
  }
  await a.waitFor((m) => a.messages.indexOf(m) >= from && m.event === 'stopped', 'the last stop');
  await a.ok('setBreakpoints', { source: { path: program }, breakpoints: [] });
  await a.ok('disconnect', { terminateDebuggee: true });
  assert.equal(await a.exited(), 0);
});

test("setVariable writes a stopped frame's local and a field; the kernel refuses what breaks types", {
  timeout: 6 * BOOT_DEADLINE_MS,
}, async () => {
  const { a, program, capabilities } = await launchedWith('setvar', COUNTING);
  assert.equal(capabilities.supportsSetVariable, true);
  let from = a.messages.length;
  await a.ok('setBreakpoints', {
    source: { path: program },
    breakpoints: [{ line: 7, condition: 'i >= 3' }],
  });
  const stopped = await a.waitFor((m) => a.messages.indexOf(m) >= from && m.event === 'stopped', 'a stop');
  const counting = stopped.body.threadId as number;
  await a.ok('setBreakpoints', { source: { path: program }, breakpoints: [] });
  const scope = async (thread: number, index: number): Promise<number> => {
    const top = (await a.ok('stackTrace', { threadId: thread })).body.stackFrames[0];
    return (await a.ok('scopes', { frameId: top.id })).body.scopes[index].variablesReference;
  };
  const localsRef = await scope(counting, 1);
  const values = async (ref: number): Promise<Record<string, string>> =>
    Object.fromEntries(
      (
        (await a.ok('variables', { variablesReference: ref })).body.variables as {
          name: string;
          value: string;
        }[]
      ).map((v) => [v.name, v.value]),
    );
  const i = Number((await values(localsRef)).i);
  const set = await a.ok('setVariable', { variablesReference: localsRef, name: 'total', value: '3 * 7' });
  assert.deepEqual([set.body.value, set.body.type], ['21', 'int']);
  assert.equal((await values(localsRef)).total, '21', 'read back through FRAME');
  const self = (
    (await a.ok('variables', { variablesReference: await scope(counting, 0) })).body.variables as {
      name: string;
      value: string;
    }[]
  ).find((v) => v.name === 'this')!;
  const address = /@0x[0-9a-f]+/.exec(self.value)![0];
  for (const [name, value, pattern] of [
    ['i', address, /holds an int/],
    ['i', '"text"', /new strings/],
    ['i', '@0x10', /no object at @0x10/],
    ['nope', '1', /no local 'nope'/],
    ['i', 'i +', /cannot evaluate/],
  ] as const) {
    const r = await a.request('setVariable', { variablesReference: localsRef, name, value });
    assert.equal(r.success, false, `${name} = ${value}`);
    assert.match(r.message ?? '', pattern, `${name} = ${value}`);
  }
  assert.equal((await values(localsRef)).i, String(i), 'refused writes changed nothing');
  from = a.messages.length;
  await a.ok('next', { threadId: counting });
  await a.waitFor((m) => a.messages.indexOf(m) >= from && m.event === 'stopped', 'the step');
  assert.equal((await values(await scope(counting, 1))).total, String(21 + i), 'the program went on from 21');

  // The counter's thread, paused alone: its count field is written, and it prints from there.
  const counter = ((await a.ok('threads')).body.threads as { id: number }[]).find(
    (t) => t.id !== counting,
  )!.id;
  from = a.messages.length;
  await a.ok('pause', { threadId: counter });
  await a.waitFor((m) => a.messages.indexOf(m) >= from && m.event === 'stopped', 'the counter paused');
  const counterSelf = (
    (await a.ok('variables', { variablesReference: await scope(counter, 0) })).body.variables as {
      name: string;
      variablesReference: number;
    }[]
  ).find((v) => v.name === 'this')!;
  const wrote = await a.ok('setVariable', {
    variablesReference: counterSelf.variablesReference,
    name: 'count',
    value: '100000',
  });
  assert.equal(wrote.body.value, '100000');
  const refused = await a.request('setVariable', {
    variablesReference: counterSelf.variablesReference,
    name: 'count',
    value: address,
  });
  assert.match(refused.message ?? '', /holds an int/);
  await a.ok('continue', {});
  await ticksPast('setvar', 100000);

  // A paused machine has no thread stopped alone: its locals are not written.
  await a.ok('pause', {});
  const worldLocals = await scope(counting, 1);
  const world = await a.request('setVariable', {
    variablesReference: worldLocals,
    name: 'total',
    value: '1',
  });
  assert.match(world.message ?? '', /stopped alone/);
  await a.ok('continue', {});
  await a.ok('disconnect', { terminateDebuggee: true });
  assert.equal(await a.exited(), 0);
});

/** A program that throws an error it catches every round, and in round 40 one nothing catches. */
const FAILING = `package .t;
import .internal.io.tty;
import .internal.time;
class failing {
  var rounds : int;
  void run() {
    while (true) {
      rounds++;
      try {
        this.fail();
      } catch (var x : .internal.error) {
        tty.println("caught " + rounds);
      }
      if (rounds == 40)
        this.fail();
      time.sleep(100);
    }
  }
  void fail() {
    throw new .internal.error("round " + rounds);
  }
};
`;

test('exception stops: "all" stops at a caught throw, "uncaught" at the error that ends the thread', {
  timeout: 6 * BOOT_DEADLINE_MS,
}, async () => {
  const { a, capabilities } = await launchedWith('failing', FAILING);
  assert.equal(capabilities.supportsExceptionInfoRequest, true);
  assert.deepEqual(
    capabilities.exceptionBreakpointFilters.map((f: { filter: string }) => f.filter),
    ['uncaught', 'all'],
  );
  let from = a.messages.length;
  await a.ok('setExceptionBreakpoints', { filters: ['all'] });
  const caught = await a.waitFor(
    (m) => a.messages.indexOf(m) >= from && m.event === 'stopped',
    'a stop at a caught throw',
  );
  assert.equal(caught.body.reason, 'exception');
  const round = Number(/^\.internal\.error: round (\d+)$/.exec(caught.body.text)?.[1]);
  assert.ok(round >= 1 && round < 40, `a caught round: ${caught.body.text}`);
  assert.match(caught.body.description, /^Error thrown: \.internal\.error: round \d+$/);
  const thread = caught.body.threadId as number;
  const info = await a.ok('exceptionInfo', { threadId: thread });
  assert.deepEqual(
    [info.body.exceptionId, info.body.description, info.body.breakMode],
    ['.internal.error', `round ${round}`, 'always'],
  );
  const top = (await a.ok('stackTrace', { threadId: thread })).body.stackFrames[0];
  assert.deepEqual([top.name, top.line], ['.t.failing.fail', 20], 'stopped at the throw, in fail()');
  const inspect = await a.ok('evaluate', {
    expression: `${info.body.details.evaluateName}.message`,
    frameId: top.id,
  });
  assert.equal(inspect.body.result, `"round ${round}"`);

  // Only what nothing catches from here on: the caught ones run their handlers, round 40 stops.
  await a.ok('setExceptionBreakpoints', { filters: ['uncaught'] });
  from = a.messages.length;
  await a.ok('continue', { threadId: thread });
  const uncaught = await a.waitFor(
    (m) => a.messages.indexOf(m) >= from && m.event === 'stopped',
    'a stop at the uncaught throw',
  );
  assert.deepEqual(
    [uncaught.body.reason, uncaught.body.threadId, uncaught.body.text],
    ['exception', thread, '.internal.error: round 40'],
  );
  const last = await a.ok('exceptionInfo', { threadId: thread });
  assert.deepEqual([last.body.description, last.body.breakMode], ['round 40', 'unhandled']);
  const counter = ((await a.ok('threads')).body.threads as { id: number }[]).find((t) => t.id !== thread)!.id;
  const notStopped = await a.request('exceptionInfo', { threadId: counter });
  assert.match(notStopped.message ?? '', /not stopped at a thrown error/);
  from = a.messages.length;
  await a.ok('continue', { threadId: thread });
  await a.waitFor(
    (m) =>
      a.messages.indexOf(m) >= from &&
      m.event === 'thread' &&
      m.body.reason === 'exited' &&
      m.body.threadId === thread,
    'the thread ends with its error',
  );
  await a.ok('setExceptionBreakpoints', { filters: [] });
  await a.ok('disconnect', { terminateDebuggee: true });
  assert.equal(await a.exited(), 0);
});

test('breakpoints of an adapter killed with -9 are cleared by the next; a live one keeps its own', {
  timeout: 4 * BOOT_DEADLINE_MS,
}, async () => {
  const a = await attached();
  const path = ((await a.ok('loadedSources')).body.sources as { path: string }[])[0]!.path;
  await a.ok('setBreakpoints', { source: { path }, breakpoints: [{ line: 17 }] });
  const stopped = await a.waitFor((m) => m.event === 'stopped', 'a stop at the breakpoint');
  a.child.kill('SIGKILL');
  await a.exited();
  assert.equal((await kernelBreakpoints()).length, 1, 'the breakpoint is machine state: still set');

  const b = await attached();
  await b.waitFor(
    (m) => m.event === 'output' && /cleared 1 breakpoint\(s\) left by a debugger/.test(m.body.output),
    'the note that it cleared them',
  );
  assert.deepEqual(await kernelBreakpoints(), [], 'nobody knew of it: cleared');
  const ticked = await newestTick('demo');
  await ticksPast('demo', ticked + 2);
  assert.ok(
    !b.messages.some((m) => m.event === 'stopped' && m.body.threadId === stopped.body.threadId),
    'the thread it stopped went on before b could be told of it',
  );

  // b is alive: an adapter attaching now leaves b's breakpoint alone.
  const held = (await b.ok('setBreakpoints', { source: { path }, breakpoints: [{ line: 23 }] })).body
    .breakpoints[0];
  const c = await attached();
  await c.ok('threads');
  assert.deepEqual(
    (await kernelBreakpoints()).map((bp) => bp.id),
    [held.id],
  );
  assert.ok(!c.messages.some((m) => m.event === 'output' && /cleared/.test(m.body.output)));
  await b.ok('disconnect');
  assert.equal(await b.exited(), 0);
  assert.deepEqual(await kernelBreakpoints(), []);
  const now = await newestTick('demo');
  await c.ok('continue', {});
  await ticksPast('demo', now + 2);
  await c.ok('disconnect');
  assert.equal(await c.exited(), 0);
});
