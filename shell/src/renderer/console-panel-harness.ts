/**
 * A page that mounts the console panel alone, over an API its test drives, for the end-to-end
 * test of its log view and its consoles (e2e/src/console-panel-view.test.ts). Not part of the
 * studio's bundle. The panel talks to a real ApiClient whose host is this page: reads of the log
 * (`console.log`) wait until the test answers or fails each one, in any order it likes (the real
 * host cannot be made to answer out of order on demand); attaching, keystrokes and
 * acknowledgements are answered at once. A machine's console is a stream the test prints into and
 * ends. Every call the panel makes is recorded. The handle is `window.consoleHarness`.
 */
import { ErrorCode } from '../common/api.js';
import { ApiClient } from './api-client.js';
import { ConsolePanel } from './console-panel.js';
import { showError } from './notifications.js';

interface Call {
  id: number;
  method: string;
  params: Record<string, unknown>;
}

/**
 * Timers the page has set and not yet run, with their delays: the test waits for the panel's
 * delayed work (a refresh, a filter's pause) to have run instead of sleeping for it.
 */
const timers = new Map<number, number>();
const setTimer = window.setTimeout.bind(window);
const clearTimer = window.clearTimeout.bind(window);
Object.assign(window, {
  setTimeout(handler: TimerHandler, delay = 0, ...args: unknown[]): number {
    const id = setTimer(
      (...a: unknown[]) => {
        timers.delete(id);
        if (typeof handler === 'function') handler(...a);
      },
      delay,
      ...args,
    );
    timers.set(id, delay);
    return id;
  },
  clearTimeout(id?: number): void {
    if (id !== undefined) timers.delete(id);
    clearTimer(id);
  },
});

const calls: Call[] = [];
/** Reads of the log not answered yet. */
const reads: Call[] = [];
/** Each machine's console stream open now. */
const streams = new Map<string, number>();
let nextStream = 1;
const running = new Set<string>();

const api = new ApiClient((title, error) => showError(title, error));
const reply = (id: number, answer: { result: unknown } | { error: unknown }) =>
  queueMicrotask(() => api.receive(JSON.stringify({ id, ...answer })));

api.attach({
  send(frame) {
    const call = JSON.parse(frame) as Call;
    calls.push(call);
    switch (call.method) {
      case 'console.log':
        reads.push(call);
        return;
      case 'console.attach': {
        const stream = nextStream++;
        streams.set(String(call.params.machine), stream);
        reply(call.id, { result: { stream } });
        return;
      }
      default:
        reply(call.id, { result: null });
    }
  },
});

function takeRead(id: number): Call {
  const at = reads.findIndex((r) => r.id === id);
  if (at < 0) throw new Error(`no read ${id} is waiting for its answer`);
  return reads.splice(at, 1)[0]!;
}

function streamOf(machine: string): number {
  const stream = streams.get(machine);
  if (stream === undefined) throw new Error(`${machine}'s console was never attached`);
  return stream;
}

const panel = new ConsolePanel(document.querySelector<HTMLElement>('[data-panel="console"]')!, api, (m) =>
  running.has(m),
);

Object.assign(window, {
  consoleHarness: {
    attach: (machine: string) => panel.attachConsole(machine),
    /** Whether the machine bar would say `machine` runs. */
    setRunning(machine: string, on: boolean) {
      if (on) running.add(machine);
      else running.delete(machine);
    },
    /** Output of `machine`'s console, as one batch. */
    print(machine: string, data: string) {
      api.receive(JSON.stringify({ stream: streamOf(machine), data }));
    },
    /** The end of `machine`'s console stream, for `reason`. */
    end(machine: string, reason: string) {
      api.receive(JSON.stringify({ stream: streamOf(machine), end: reason }));
    },
    /** The reads of the log waiting for an answer, oldest first. */
    reads: () => reads.map(({ id, params }) => ({ id, params })),
    /** Answers read `id` with `page` (a `console.log` result). */
    answer(id: number, page: unknown) {
      reply(takeRead(id).id, { result: page });
    },
    /** Fails read `id`, as a host whose log cannot be read does. */
    fail(id: number, message: string) {
      reply(takeRead(id).id, { error: { code: ErrorCode.Failed, message } });
    },
    /** Timers set with at least `delay` ms and not run yet. */
    timersPending: (delay: number) => [...timers.values()].filter((d) => d >= delay).length,
    calls,
  },
});
