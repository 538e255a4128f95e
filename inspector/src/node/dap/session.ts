/**
 * The debug adapter (Debug Adapter Protocol, on @vscode/debugadapter) for a live Phantom machine,
 * as `phantom dap` serves it. It speaks to the machine through today's debug protocol: THREADS
 * (threads and their frames), READ_OBJECTS (frames' slots, methods, objects), CLASSES, PAUSE and
 * RESUME (the whole world: a pause without a thread), STATS; and the debugger's messages of
 * revision 3: SET_BREAKPOINT and CLEAR_BREAKPOINT (placed at the pcs the statement tables give a
 * source line), EXCEPTION_STOPS, PAUSE_THREAD (a pause of one thread), STEP and CONTINUE_THREAD of
 * one stopped thread (0: every one), STOPPED on attach, and the events EV_STOPPED,
 * EV_CONTINUED and EV_LOGPOINT. Source positions and local names come from the method's own
 * METHOD_DEBUG or the compiled program the machine was built from (lang's CompiledDebugInfo),
 * checked against the code the machine runs.
 *
 * setVariable writes with revision 4's SET_LOCAL (a local of a frame the debugger holds stopped) and
 * SET_FIELD (a program object's field, a program array's element); the kernel checks each value.
 *
 * Not here: finding, booting and watching machines (the DapHost the caller gives), or the wire's
 * framing (common/dap-framing.ts, in front of this).
 */

import { basename, isAbsolute } from 'node:path';
import type { CompiledClass, CompiledMethod } from '@phantom/lang/common/compiled.js';
import * as L from '@phantom/lang/common/spec/generated.js';
import {
  Breakpoint,
  CapabilitiesEvent,
  ContinuedEvent,
  DebugSession,
  ExitedEvent,
  Handles,
  InitializedEvent,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
  ThreadEvent,
  Variable,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import {
  type DapExpr,
  DapExpressionError,
  MAX_EXPRESSION_LENGTH,
  parseDapExpression,
} from '../../common/dap-expression.js';
import { lineAt, localsAt, SourceIndex, statementAt } from '../../common/dap-sources.js';
// What the session debugs: a live machine's DebugClient, or a replay (common/dap-target.ts).
import type { ContinuedMachine, DapReverse, DapTarget as DebugClient } from '../../common/dap-target.js';
import * as P from '../../common/debug-protocol.js';
import type { Disposable } from '../../common/events.js';
import { DebugRequestError } from '../debug-client.js';
import { decodeWord, LiveReader, type MethodInfo, type ObjectInfo, type Word } from './live-reader.js';

/** A machine the adapter is attached to, as the host gives it. */
export interface DapMachine {
  readonly name: string;
  /** Runs `action` on the machine's debug channel, after this process's other users of it. */
  use<T>(action: (client: DebugClient) => Promise<T>): Promise<T>;
  /** Its state ('running', 'paused', 'stopped', …). */
  state(): Promise<string>;
  /** What its console prints from now on. */
  onConsole(listener: (text: string) => void): Disposable;
  /** The classes it was built from, compiled with debug info, and what kept any from being read. */
  sources(): Promise<{ classes: readonly CompiledClass[]; problems: readonly string[] }>;
  /** Who set which breakpoint, when the host keeps such records (debug-protocol.md, "Whose breakpoints"). */
  readonly breakpointOwners?: BreakpointOwners;
  /** A target that runs backwards (a replay): step back, reverse continue, data breakpoints. */
  readonly reverse?: DapReverse;
  /**
   * A replay's "continue the machine from here": its state where it stands becomes a new
   * generation on a new branch of the machine's store, and the machine goes on from it.
   */
  continueMachine?(): Promise<ContinuedMachine>;
  dispose(): void;
}

/**
 * The host's records of which adapter process set which of the machine's breakpoints, so that an
 * adapter that attaches clears those of adapters that died without disconnecting.
 */
export interface BreakpointOwners {
  /** Records the kernel ids of the breakpoints this adapter holds now (replacing its last record). */
  hold(ids: readonly number[]): Promise<void>;
  /** The ids recorded by adapter processes that no longer run; their records go. */
  takeOrphans(): Promise<number[]>;
  /** This adapter is done with the machine: its record goes. */
  release(): Promise<void>;
}

export interface DapLaunchArguments {
  readonly machine: string;
  /** An image definition (images/NAME.json) to create the machine from when it does not exist. */
  readonly image?: string;
  /** A .ph file to compile, install into the booted machine and run. */
  readonly program?: string;
}

/** What the adapter needs of the studio's machines. */
export interface DapHost {
  attach(name: string): Promise<DapMachine>;
  /** Creates (when needed) and boots the machine; `progress` tells the editor's console how it goes. */
  launch(args: DapLaunchArguments, progress: (text: string) => void): Promise<DapMachine>;
  /** A replay of kept generation `generation` of the machine's store (it may be running or not). */
  replay(name: string, generation: number): Promise<DapMachine>;
  /** Stops the machine cleanly (disconnect with terminateDebuggee after a launch). */
  stop(name: string): Promise<void>;
  /** The session is over: the host may end the process. */
  ended(): void;
}

/** DAP's names of the kernel's stop reasons (DBG_STOP_*). */
const STOP_REASONS: Record<number, string> = {
  [P.StopReason.Breakpoint]: 'breakpoint',
  [P.StopReason.Step]: 'step',
  [P.StopReason.Pause]: 'pause',
  [P.StopReason.Exception]: 'exception',
};
/** A breakpoint condition the kernel evaluates: a local compared with an integer. */
const CONDITION = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|<=|>=|<|>)\s*(-?\d+)\s*$/;
const CONDITION_OPS: Record<string, P.Condition> = {
  '==': P.Condition.Eq,
  '!=': P.Condition.Ne,
  '<': P.Condition.Lt,
  '<=': P.Condition.Le,
  '>': P.Condition.Gt,
  '>=': P.Condition.Ge,
};
/** A hit condition: act from the Nth counted hit on ('5' or '>= 5'). */
const HIT_CONDITION = /^\s*(?:>=\s*)?(\d{1,9})\s*$/;
const WHOLE_WORLD =
  'the whole machine is paused (PAUSE stops every thread at once), and "continue" resumes them all; pause a thread to stop it alone and step from there';

/** Elements one variables request returns at most for an array (editors page larger ones). */
const ARRAY_PAGE = 100;
/** Longest string shown inline. */
const STRING_SHOWN = 200;
/** How often the machine's state is looked at, to tell the editor when it stops. */
const STATE_POLL_MS = 1000;

class RequestError extends Error {}

type Args = Record<string, unknown>;

function args(raw: unknown): Args {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Args) : {};
}

function intArg(a: Args, name: string, min = 0): number {
  const v = a[name];
  if (!Number.isSafeInteger(v) || (v as number) < min)
    throw new RequestError(
      `'${name}' must be an integer of at least ${min}, not ${JSON.stringify(v) ?? 'nothing'}`,
    );
  return v as number;
}

function optionalIntArg(a: Args, name: string, min = 0): number | undefined {
  return a[name] === undefined ? undefined : intArg(a, name, min);
}

function stringArg(a: Args, name: string, maxLength = 4096): string {
  const v = a[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > maxLength)
    throw new RequestError(`'${name}' must be a non-empty string (at most ${maxLength} characters)`);
  return v;
}

function optionalStringArg(a: Args, name: string): string | undefined {
  return a[name] === undefined ? undefined : stringArg(a, name);
}

/**
 * Clears a breakpoint this session set. Another session may have replaced it since (the kernel
 * keeps one per place): then it is gone already, which is what was wanted.
 */
async function clearOwn(client: DebugClient, id: number): Promise<void> {
  try {
    await client.clearBreakpoint(id);
  } catch (err) {
    if (!(err instanceof DebugRequestError && err.code === P.DebugErrorCode.DE_NOT_FOUND)) throw err;
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A frame as the editor named it: valid until the world runs again. */
interface FrameHandle {
  readonly frameRef: number;
  readonly methodRef: number;
  /** The pc to place the frame at: the next instruction of the innermost frame, the call of the others. */
  readonly pc: number;
  /** For a thread the debugger holds stopped: where FRAME reads the frame's typed values. */
  readonly stopped?: { readonly thread: number; readonly depth: number };
}

type VarHandle =
  | { readonly kind: 'arguments' | 'locals'; readonly frame: FrameHandle }
  | { readonly kind: 'object'; readonly ref: number };

/** What FRAME says a frame's value is. */
type ValueKind = 'int' | 'ref';

/** A value as evaluate computes it. */
type Value =
  | { kind: 'word'; word: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string };

export class PhantomDebugSession extends DebugSession {
  private machine: DapMachine | undefined;
  private launched = false;
  private index = new SourceIndex([]);
  private readonly frames = new Handles<FrameHandle>();
  private readonly vars = new Handles<VarHandle>();
  /** The reader of the current stop; dropped whenever the world runs again. */
  private reader: { client: DebugClient; reader: LiveReader } | undefined;
  private pausedHere = false;
  /** Whether the world is paused, as this adapter last saw it (by its own requests or a poll). */
  private worldPaused = false;
  /** Bumped by this adapter's own pause and continue, so a poll that raced one is not believed. */
  private worldEpoch = 0;
  private readonly knownThreads = new Set<number>();
  /** Threads the kernel's debugger holds stopped (EV_STOPPED, STOPPED), by id. */
  private readonly debugStopped = new Map<number, P.StoppedInfo>();
  /** The kernel's breakpoint ids this adapter set, by source path. */
  private readonly breakpointsOf = new Map<string, number[]>();
  private polls = 0;
  private polling = false;
  private readonly watches: Disposable[] = [];
  private statePoll: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly host: DapHost) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  /** Answers a message the framing refused (bad JSON, oversized, not a request) with an error response. */
  refuse(seq: number, command: string, message: string): void {
    const response: DebugProtocol.Response = {
      seq: 0,
      type: 'response',
      request_seq: seq,
      command: command || 'unknown',
      success: false,
      message,
      body: { error: { id: 1, format: message, showUser: false } },
    };
    this.sendResponse(response);
  }

  /** Runs a request's work and answers it; any failure becomes an error response saying why. */
  private serve(
    response: DebugProtocol.Response,
    work: () => Promise<void> | void,
    answered: () => void = () => {},
  ): void {
    Promise.resolve()
      .then(work)
      .then(
        () => this.sendResponse(response),
        (err: unknown) => {
          const message = reason(err);
          this.sendErrorResponse(response, { id: 2, format: message.replace(/[{}]/g, ''), showUser: true });
        },
      )
      .then(answered);
  }

  private attached(): DapMachine {
    if (this.machine === undefined)
      throw new RequestError('not attached to a machine: send attach or launch first');
    return this.machine;
  }

  /** The reader of this stop (one connection's reads, cached while the world stays paused). */
  private withReader<T>(action: (reader: LiveReader, client: DebugClient) => Promise<T>): Promise<T> {
    return this.attached().use(async (client) => {
      if (this.reader === undefined || this.reader.client !== client)
        this.reader = { client, reader: new LiveReader(client) };
      return action(this.reader.reader, client);
    });
  }

  /** The world runs again: frame and variable handles and cached reads no longer hold. */
  private forgetStop(): void {
    this.frames.reset();
    this.vars.reset();
    this.reader = undefined;
  }

  // ── lifecycle ──

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsEvaluateForHovers: true,
      supportsLoadedSourcesRequest: true,
      supportsDelayedStackTraceLoading: true,
      supportsSetVariable: true,
      supportsSingleThreadExecutionRequests: true,
      supportsExceptionInfoRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsStepBack: false,
      supportsTerminateRequest: false,
      exceptionBreakpointFilters: [
        { filter: 'uncaught', label: 'Uncaught errors', default: false },
        {
          filter: 'all',
          label: 'All errors',
          description: 'Stop at every throw, caught or not',
          default: false,
        },
      ],
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override attachRequest(
    response: DebugProtocol.AttachResponse,
    raw: DebugProtocol.AttachRequestArguments,
  ): void {
    this.serve(response, async () => {
      const a = args(raw);
      const name = stringArg(a, 'machine', 64);
      const replay = optionalIntArg(a, 'replay');
      if (this.machine !== undefined) throw new RequestError(`already attached to '${this.machine.name}'`);
      await this.begin(
        await (replay === undefined ? this.host.attach(name) : this.host.replay(name, replay)),
      );
    });
  }

  protected override launchRequest(
    response: DebugProtocol.LaunchResponse,
    raw: DebugProtocol.LaunchRequestArguments,
  ): void {
    this.serve(response, async () => {
      const a = args(raw);
      const name = stringArg(a, 'machine', 64);
      const image = optionalStringArg(a, 'image');
      const program = optionalStringArg(a, 'program');
      const replay = optionalIntArg(a, 'replay');
      if (this.machine !== undefined) throw new RequestError(`already attached to '${this.machine.name}'`);
      if (replay !== undefined) {
        if (image !== undefined || program !== undefined)
          throw new RequestError(
            "a replay runs a kept generation as it is: give 'replay' without 'image' or 'program'",
          );
        await this.begin(await this.host.replay(name, replay));
        return;
      }
      const machine = await this.host.launch(
        { machine: name, ...(image ? { image } : {}), ...(program ? { program } : {}) },
        (text) => this.sendEvent(new OutputEvent(`${text}\n`, 'console')),
      );
      this.launched = true;
      await this.begin(machine);
    });
  }

  private async begin(machine: DapMachine): Promise<void> {
    const orphans = new Set((await machine.breakpointOwners?.takeOrphans()) ?? []);
    const { hello, paused, stopped, cleared } = await machine.use(async (client) => {
      // Breakpoints an adapter that died without disconnecting set go, with the stops they made.
      let cleared = 0;
      if (orphans.size > 0) {
        for (const b of await client.listBreakpoints())
          if (orphans.has(b.id)) {
            await client.clearBreakpoint(b.id);
            cleared++;
          }
        for (const t of (await client.stopped()).threads)
          if (t.reason === P.StopReason.Breakpoint && orphans.has(t.breakpoint))
            await client.continueThread(t.thread);
      }
      const threads = await client.threads();
      const stats = await client.stats();
      this.watches.push(
        client.onDidEndThread((e) => {
          this.knownThreads.delete(e.id);
          this.debugStopped.delete(e.id);
          this.sendEvent(new ThreadEvent('exited', e.id));
        }),
        client.onDidStop((e) => void this.threadStopped(e)),
        client.onDidContinue((e) => this.threadContinued(e.id)),
        client.onDidLog((e) => this.sendEvent(new OutputEvent(`${e.message}\n`, 'console'))),
      );
      return { hello: threads, paused: stats.paused, stopped: (await client.stopped()).threads, cleared };
    });
    this.machine = machine;
    if (cleared > 0)
      this.sendEvent(
        new OutputEvent(
          `phantom dap: cleared ${cleared} breakpoint(s) left by a debugger that ended without disconnecting\n`,
          'console',
        ),
      );
    const { classes, problems } = await machine.sources();
    this.index = new SourceIndex(classes);
    for (const p of problems) this.sendEvent(new OutputEvent(`phantom dap: ${p}\n`, 'console'));
    this.watches.push(machine.onConsole((text) => this.sendEvent(new OutputEvent(text, 'stdout'))));
    if (machine.reverse !== undefined) {
      this.watches.push(
        machine.reverse.onNotice((text) => this.sendEvent(new OutputEvent(text, 'important'))),
      );
      this.sendEvent(new CapabilitiesEvent({ supportsStepBack: true, supportsDataBreakpoints: true }));
    }
    const live = hello.filter((t) => t.state !== L.TS_DONE && t.state !== L.TS_FAILED);
    for (const t of live) {
      this.knownThreads.add(t.id);
      this.sendEvent(new ThreadEvent('started', t.id));
    }
    if (paused) setImmediate(() => this.worldStopped(live[0]?.id));
    // Threads stopped before this adapter came (an earlier session, a restart after a power cut).
    for (const e of stopped) setImmediate(() => void this.threadStopped(e));
    this.statePoll = setInterval(() => void this.poll(), STATE_POLL_MS);
  }

  /** The kernel's debugger stopped a thread: the editor shows it stopped, saying why. */
  private async threadStopped(e: P.StoppedInfo): Promise<void> {
    this.debugStopped.set(e.id, e);
    this.forgetStop();
    if (!this.knownThreads.has(e.id)) {
      this.knownThreads.add(e.id);
      this.sendEvent(new ThreadEvent('started', e.id));
    }
    const reasonName = STOP_REASONS[e.reason] ?? 'pause';
    let text: string | undefined;
    if (e.reason === P.StopReason.Exception) {
      // A replay stands before the throw: a VM error's object is not made yet, the target says what it is.
      const thrown = this.machine?.reverse?.thrownHere();
      text =
        thrown === undefined
          ? await this.errorMessage(e.exception)
          : thrown.message === ''
            ? thrown.className
            : `${thrown.className}: ${thrown.message}`;
    }
    const stopped = new StoppedEvent(reasonName, e.id, text) as DebugProtocol.StoppedEvent;
    stopped.body.allThreadsStopped = false;
    if (e.reason === P.StopReason.Breakpoint) stopped.body.hitBreakpointIds = [e.breakpoint];
    if (text !== undefined) stopped.body.description = `Error thrown: ${text}`;
    const replayed = this.machine?.reverse?.describeStop();
    if (replayed !== undefined) {
      stopped.body.reason = replayed.reason;
      stopped.body.description = replayed.description;
    }
    this.sendEvent(stopped);
  }

  private threadContinued(id: number): void {
    this.debugStopped.delete(id);
    this.forgetStop();
    this.sendEvent(new ContinuedEvent(id, false));
  }

  /** What a thrown object says: its class and its `message` field when it has a string one. */
  private async errorMessage(ref: number): Promise<string> {
    const e = await this.errorOf(ref);
    return e.message === undefined ? e.className : `${e.className}: ${e.message}`;
  }

  private async errorOf(ref: number): Promise<{ className: string; message?: string }> {
    if (ref === 0) return { className: 'an error' };
    try {
      return await this.withReader(async (reader) => {
        const o = await reader.object(ref);
        const className = o.cls?.name ?? 'an error';
        const slot = o.cls?.fieldNames.indexOf('message') ?? -1;
        const word = slot >= 0 ? reader.slots(o)[slot] : undefined;
        if (word === undefined || word === 0) return { className };
        const shown = await this.show(reader, word);
        return {
          className,
          message: shown.type === 'string' ? (JSON.parse(shown.value) as string) : shown.value,
        };
      });
    } catch (err) {
      return { className: `an error at @0x${ref.toString(16)} (${reason(err)})` };
    }
  }

  /** The error a thread stopped for (DBG_STOP_EXCEPTION): its class, its message, why it stopped. */
  protected override exceptionInfoRequest(
    response: DebugProtocol.ExceptionInfoResponse,
    raw: DebugProtocol.ExceptionInfoArguments,
  ): void {
    this.serve(response, async () => {
      const threadId = intArg(args(raw), 'threadId');
      const { exceptions, threads } = await this.attached().use((client) => client.stopped());
      const stop = threads.find((t) => t.id === threadId);
      if (stop === undefined || stop.reason !== P.StopReason.Exception)
        throw new RequestError(`thread ${threadId} is not stopped at a thrown error`);
      const thrown = this.attached().reverse?.thrownHere();
      const error =
        thrown === undefined
          ? await this.errorOf(stop.exception)
          : { className: thrown.className, ...(thrown.message !== '' ? { message: thrown.message } : {}) };
      response.body = {
        exceptionId: error.className,
        ...(error.message !== undefined ? { description: error.message } : {}),
        breakMode:
          thrown !== undefined
            ? thrown.caught
              ? 'always'
              : 'unhandled'
            : exceptions === P.ExceptionStops.All
              ? 'always'
              : 'unhandled',
        details: {
          typeName: error.className,
          ...(error.message !== undefined ? { message: error.message } : {}),
          ...(stop.exception !== 0 ? { evaluateName: `@0x${stop.exception.toString(16)}` } : {}),
        },
      };
    });
  }

  /** Someone else (the studio, another adapter) paused the world: the editor shows it stopped. */
  private worldStopped(threadId: number | undefined): void {
    this.worldPaused = true;
    const stopped = new StoppedEvent('pause', threadId) as DebugProtocol.StoppedEvent;
    stopped.body.allThreadsStopped = true;
    stopped.body.description = 'Paused by another client';
    stopped.body.text = WHOLE_WORLD;
    this.sendEvent(stopped);
  }

  /**
   * Once a second: has the machine stopped (exited, terminated), has another client paused or
   * resumed the world (stopped, continued), have threads started (every few polls: THREADS costs
   * more of the channel than STATS)?
   */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.checkState();
      const machine = this.machine;
      if (machine === undefined || this.ended) return;
      const epoch = this.worldEpoch;
      const withThreads = this.polls++ % 5 === 0;
      const seen = await machine.use(async (client) => ({
        paused: (await client.stats()).paused,
        threads: withThreads ? await client.threads() : undefined,
      }));
      if (this.machine !== machine) return;
      for (const t of seen.threads ?? [])
        if (t.state !== L.TS_DONE && t.state !== L.TS_FAILED && !this.knownThreads.has(t.id)) {
          this.knownThreads.add(t.id);
          this.sendEvent(new ThreadEvent('started', t.id));
        }
      if (epoch !== this.worldEpoch || seen.paused === this.worldPaused) return;
      if (seen.paused) this.worldStopped([...this.knownThreads][0]);
      else {
        this.worldPaused = false;
        this.forgetStop();
        this.sendEvent(new ContinuedEvent([...this.knownThreads][0] ?? 0, true));
      }
    } catch {
      // The next poll tries again; requests the editor makes say what is wrong.
    } finally {
      this.polling = false;
    }
  }

  private async checkState(): Promise<void> {
    if (this.machine === undefined || this.ended) return;
    let state: string;
    try {
      state = await this.machine.state();
    } catch {
      return;
    }
    if (state === 'running' || state === 'paused') return;
    this.sendEvent(new OutputEvent(`machine '${this.machine.name}' is ${state}\n`, 'console'));
    this.sendEvent(new ExitedEvent(0));
    this.sendEvent(new TerminatedEvent());
    this.detach();
  }

  private detach(): void {
    if (this.statePoll) clearInterval(this.statePoll);
    this.statePoll = undefined;
    for (const w of this.watches.splice(0)) w.dispose();
    this.machine?.dispose();
    this.machine = undefined;
    this.forgetStop();
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
  }

  protected override disconnectRequest(
    response: DebugProtocol.DisconnectResponse,
    raw: DebugProtocol.DisconnectArguments,
  ): void {
    this.serve(
      response,
      async () => {
        const machine = this.machine;
        const terminate = args(raw).terminateDebuggee === true;
        if (machine !== undefined && this.pausedHere) {
          await machine.use((client) => client.resume()).catch(() => undefined);
          this.pausedHere = false;
        }
        // What this session set in the machine goes with it: its breakpoints, and the threads it holds.
        if (machine !== undefined) await this.releaseMachine(machine).catch(() => undefined);
        this.detach();
        if (machine !== undefined && terminate && this.launched) await this.host.stop(machine.name);
        // The response goes out, after the work is done, before the host ends the process.
      },
      () => setImmediate(() => this.end()),
    );
  }

  private async releaseMachine(machine: DapMachine): Promise<void> {
    const ids = [...this.breakpointsOf.values()].flat();
    const stopped = [...this.debugStopped.values()];
    this.breakpointsOf.clear();
    this.debugStopped.clear();
    await machine.use(async (client) => {
      for (const id of ids) await clearOwn(client, id);
      for (const t of stopped) await client.continueThread(t.thread);
    });
    await machine.breakpointOwners?.release();
  }

  /** Tells the host which breakpoints this adapter holds, so a later adapter knows they are not orphans. */
  private async recordBreakpoints(): Promise<void> {
    await this.machine?.breakpointOwners?.hold([...this.breakpointsOf.values()].flat());
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.host.ended();
  }

  override shutdown(): void {
    this.detach();
    this.end();
  }

  // ── breakpoints ──

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    raw: DebugProtocol.SetBreakpointsArguments,
  ): void {
    this.serve(response, async () => {
      const a = args(raw);
      const list = a.breakpoints === undefined ? [] : a.breakpoints;
      if (!Array.isArray(list) || list.length > P.MAX_BREAKPOINTS)
        throw new RequestError(`'breakpoints' must be an array (of at most ${P.MAX_BREAKPOINTS})`);
      const path = stringArg(args(a.source), 'path');
      // Every argument is checked before the kernel's breakpoints change: bad input loses nothing.
      const wanted = list.map((b) => {
        const bp = args(b);
        return {
          line: intArg(bp, 'line', 1),
          condition: optionalStringArg(bp, 'condition'),
          hitCondition: optionalStringArg(bp, 'hitCondition'),
          logMessage: optionalStringArg(bp, 'logMessage'),
        };
      });
      response.body = {
        breakpoints: await this.withReader(async (reader, client) => {
          const { methods, problems } = await this.sourceMethods(reader, client, path);
          for (const id of this.breakpointsOf.get(path) ?? []) await clearOwn(client, id);
          this.breakpointsOf.set(path, []);
          const out: DebugProtocol.Breakpoint[] = [];
          try {
            for (const w of wanted) out.push(await this.placeBreakpoint(methods, problems, client, path, w));
          } finally {
            await this.recordBreakpoints();
          }
          return out;
        }),
      };
    });
  }

  /**
   * Sets the kernel's breakpoints for one source line, at every statement starting on it (or on
   * the next line with code), or answers unverified saying why none could be set.
   */
  private async placeBreakpoint(
    methods: readonly SourceMethod[],
    problems: readonly string[],
    client: DebugClient,
    path: string,
    w: {
      line: number;
      condition?: string | undefined;
      hitCondition?: string | undefined;
      logMessage?: string | undefined;
    },
  ): Promise<DebugProtocol.Breakpoint> {
    const unverified = (message: string): DebugProtocol.Breakpoint => {
      const bp: DebugProtocol.Breakpoint = new Breakpoint(false, w.line);
      bp.message = message;
      bp.reason = 'failed';
      return bp;
    };
    const file = basename(path);
    const line = statementLines(methods).find((l) => l >= w.line);
    if (line === undefined) {
      const why =
        methods.length === 0
          ? `the machine runs no code of ${file}`
          : `no code on line ${w.line} of ${file} or after it`;
      return unverified(problems.length > 0 ? `${why} (${problems.join('; ')})` : why);
    }
    let hitCount = 0;
    if (w.hitCondition !== undefined) {
      const m = HIT_CONDITION.exec(w.hitCondition);
      if (!m)
        return unverified(`hit condition '${w.hitCondition.slice(0, 80)}' is not a count ('5' or '>= 5')`);
      hitCount = Number(m[1]);
    }
    let message = '';
    if (w.logMessage !== undefined) {
      message = w.logMessage;
      if (new TextEncoder().encode(message).length > P.MAX_LOG_MESSAGE)
        return unverified(`a log message is at most ${P.MAX_LOG_MESSAGE} bytes`);
    }
    const placements = methods.flatMap((m) => statementPcs(m.debug, line).map((pc) => ({ m, pc })));
    const specs: P.BreakpointSpec[] = [];
    for (const { m, pc } of placements) {
      let condition: P.Condition = P.Condition.None;
      let local = 0;
      let value = 0;
      if (w.condition !== undefined) {
        const c = CONDITION.exec(w.condition);
        if (!c)
          return unverified(
            `condition '${w.condition.slice(0, 80)}' is not 'local OP integer' (OP one of == != < <= > >=)`,
          );
        const slot = [...localsAt(m.debug, pc).values()].find((l) => l.name === c[1])?.slot;
        if (slot === undefined) return unverified(`no local '${c[1]}' at line ${line} of ${file}`);
        value = Number(c[3]);
        if (value < L.SMALLINT_MIN || value > L.SMALLINT_MAX)
          return unverified(`${c[3]} is not a small integer`);
        condition = CONDITION_OPS[c[2]!]!;
        local = slot;
      }
      specs.push({
        method: m.ref,
        pc,
        flags: w.logMessage !== undefined ? P.BREAKPOINT_LOG : 0,
        condition,
        local,
        value,
        hitCount,
        message,
      });
    }
    const ids: number[] = [];
    // Breakpoints are machine state: one may stand there already, left by a session that ended
    // without disconnecting (a power cut, a killed adapter or studio). The kernel keeps one per
    // place; this session's replaces it, so it is this session's to clear.
    const standing = specs.length > 0 ? await client.listBreakpoints() : [];
    for (const spec of specs) {
      const old = standing.find((b) => b.method === spec.method && b.pc === spec.pc);
      if (old !== undefined) await client.clearBreakpoint(old.id);
      const id = await client.setBreakpoint(spec);
      ids.push(id);
      this.breakpointsOf.get(path)?.push(id);
      await this.recordBreakpoints();
    }
    const bp: DebugProtocol.Breakpoint = new Breakpoint(true, this.convertDebuggerLineToClient(line));
    bp.id = ids[0]!;
    if (line !== w.line) bp.message = `moved from line ${w.line}, which has no code`;
    return bp;
  }

  /**
   * The machine's methods whose source is `path`, each with the debug info its code was compiled
   * with (its own METHOD_DEBUG, else the sources when they compile to that code); and why methods
   * of that file have none.
   */
  private async sourceMethods(
    reader: LiveReader,
    client: DebugClient,
    path: string,
  ): Promise<{ methods: SourceMethod[]; problems: string[] }> {
    const refs = await client.classes();
    await reader.prefetch(refs);
    const methods: SourceMethod[] = [];
    const problems: string[] = [];
    for (const ref of refs) {
      const cls = await reader.classInfo(ref);
      if (cls === undefined || cls.internalId !== 0) continue;
      const arrayRef = refOf(reader.slots(await reader.object(ref))[L.CLASS_METHODS] ?? 0)[0];
      if (arrayRef === undefined) continue;
      const methodRefs = reader.slots(await reader.object(arrayRef)).flatMap(refOf);
      await reader.prefetch(methodRefs);
      for (const mref of methodRefs) {
        const m = await reader.method(mref);
        const known = this.debugOf(m);
        if ('debug' in known) {
          if (known.file === path) methods.push({ ref: mref, debug: known.debug });
        } else if (this.index.classNamed(cls.name)?.file === path) {
          problems.push(`${cls.name}.${m.name}: ${known.problem}`);
        }
      }
    }
    return { methods, problems };
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    raw: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.serve(response, async () => {
      const filters = args(raw).filters ?? [];
      if (!Array.isArray(filters) || filters.some((f) => typeof f !== 'string'))
        throw new RequestError("'filters' must be an array of filter names");
      const unknown = filters.find((f) => f !== 'uncaught' && f !== 'all');
      if (unknown !== undefined)
        throw new RequestError(`unknown exception filter '${unknown}' (there are 'uncaught' and 'all')`);
      const mode = filters.includes('all')
        ? P.ExceptionStops.All
        : filters.includes('uncaught')
          ? P.ExceptionStops.Uncaught
          : P.ExceptionStops.None;
      await this.attached().use((client) => client.setExceptionStops(mode));
      response.body = { breakpoints: filters.map(() => ({ verified: true })) };
    });
  }

  // ── running and stopping ──

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    this.serve(response, async () => {
      const threads = await this.attached().use((client) => client.threads());
      response.body = {
        threads: threads
          .filter((t) => t.state !== L.TS_DONE && t.state !== L.TS_FAILED)
          .map(
            (t) =>
              new Thread(t.id, `thread ${t.id} (${t.state === L.TS_SLEEPING ? 'sleeping' : 'runnable'})`),
          ),
      };
    });
  }

  protected override pauseRequest(
    response: DebugProtocol.PauseResponse,
    raw: DebugProtocol.PauseArguments,
  ): void {
    this.serve(response, async () => {
      const threadId = optionalIntArg(args(raw), 'threadId');
      if (threadId !== undefined) return this.pauseThread(threadId);
      this.worldEpoch++;
      const threads = await this.attached().use(async (client) => {
        await client.pause();
        return client.threads();
      });
      this.pausedHere = true;
      this.worldPaused = true;
      this.worldEpoch++;
      this.forgetStop();
      const live = threads.filter((t) => t.state !== L.TS_DONE && t.state !== L.TS_FAILED);
      const stopped = new StoppedEvent('pause', live[0]?.id) as DebugProtocol.StoppedEvent;
      stopped.body.allThreadsStopped = true;
      stopped.body.description = 'Paused (the whole machine)';
      stopped.body.text = WHOLE_WORLD;
      // The response first, then the event, as editors expect.
      setImmediate(() => this.sendEvent(stopped));
    });
  }

  /**
   * Stops one thread where it is (PAUSE_THREAD): the others, the channel and snapshots go on. The
   * kernel's EV_STOPPED (reason pause) tells the editor, and the thread steps from there.
   */
  private async pauseThread(threadId: number): Promise<void> {
    if (this.debugStopped.has(threadId)) return;
    await this.attached().use(async (client) => {
      const thread = (await client.threads()).find(
        (t) => t.id === threadId && t.state !== L.TS_DONE && t.state !== L.TS_FAILED,
      );
      if (thread === undefined) throw new RequestError(`no live thread ${threadId}`);
      await client.pauseThread(thread.ref);
    });
  }

  /**
   * Continue, as DAP has it: with singleThread, the thread the debugger holds stopped goes on alone
   * (CONTINUE_THREAD; allThreadsContinued false); otherwise everything goes on: every thread the
   * debugger holds (CONTINUE_THREAD 0) and the world, unless another client paused it too
   * (allThreadsContinued true).
   */
  protected override continueRequest(
    response: DebugProtocol.ContinueResponse,
    raw: DebugProtocol.ContinueArguments,
  ): void {
    this.serve(response, async () => {
      const a = args(raw);
      const threadId = optionalIntArg(a, 'threadId');
      if (a.singleThread === true) {
        if (threadId === undefined) throw new RequestError("'singleThread' needs a 'threadId'");
        const stop = this.debugStopped.get(threadId);
        if (stop === undefined)
          throw new RequestError(
            `thread ${threadId} is not stopped alone (at a breakpoint, step, exception or its own pause); continue without singleThread resumes everything`,
          );
        await this.letGo([stop], (client) => client.continueThread(stop.thread));
        response.body = { allThreadsContinued: false };
        return;
      }
      this.worldEpoch++;
      const held = [...this.debugStopped.values()];
      const stillPaused = await this.letGo(held, async (client) => {
        if (held.length > 0) await client.continueThread(0);
        await client.resume();
        return (await client.stats()).paused;
      });
      this.pausedHere = false;
      this.worldPaused = stillPaused;
      this.worldEpoch++;
      response.body = { allThreadsContinued: true };
      if (stillPaused)
        this.sendEvent(
          new OutputEvent(
            'phantom dap: the machine stays paused: another client (the studio, another debugger) paused it too and has not resumed it\n',
            'console',
          ),
        );
    });
  }

  protected override nextRequest(
    response: DebugProtocol.NextResponse,
    raw: DebugProtocol.NextArguments,
  ): void {
    this.serve(response, () => this.step(raw, P.StepKind.Over));
  }

  protected override stepInRequest(
    response: DebugProtocol.StepInResponse,
    raw: DebugProtocol.StepInArguments,
  ): void {
    this.serve(response, () => this.step(raw, P.StepKind.Into));
  }

  protected override stepOutRequest(
    response: DebugProtocol.StepOutResponse,
    raw: DebugProtocol.StepOutArguments,
  ): void {
    this.serve(response, () => this.step(raw, P.StepKind.Out));
  }

  /**
   * Lets the stops `held` go with `go`'s requests. They are forgotten before the requests leave:
   * a thread that goes on can stop again (its next breakpoint) before the last reply is back, and
   * that new stop (EV_STOPPED, recorded by threadStopped) and the frames the editor then reads
   * must outlive this continue, or the next continue would not know the thread is held and leave
   * it stopped. When the requests fail, the stops not replaced meanwhile are held again.
   */
  private async letGo<T>(
    held: readonly P.StoppedInfo[],
    go: (client: DebugClient) => Promise<T>,
  ): Promise<T> {
    for (const t of held) this.debugStopped.delete(t.id);
    this.forgetStop();
    try {
      return await this.attached().use(go);
    } catch (err) {
      for (const t of held) if (!this.debugStopped.has(t.id)) this.debugStopped.set(t.id, t);
      throw err;
    }
  }

  /** One step of a thread the debugger holds stopped; EV_STOPPED (reason step) says where it ends. */
  private async step(raw: unknown, kind: P.StepKind): Promise<void> {
    const threadId = intArg(args(raw), 'threadId');
    const machine = this.attached();
    const stop = this.debugStopped.get(threadId);
    if (stop === undefined)
      throw new RequestError(
        `thread ${threadId} is not stopped at a breakpoint, step or exception; a thread steps from such a stop (pausing the whole machine does not make one)`,
      );
    this.debugStopped.delete(threadId);
    this.forgetStop();
    await machine.use((client) => client.step(stop.thread, kind));
  }

  // ── going back and data breakpoints (a replay) ──

  private reversible(): DapReverse {
    const reverse = this.attached().reverse;
    if (reverse === undefined)
      throw new RequestError(
        'a live machine cannot go back or watch data: attach with "replay": <generation> to replay one of its kept generations',
      );
    return reverse;
  }

  protected override stepBackRequest(
    response: DebugProtocol.StepBackResponse,
    raw: DebugProtocol.StepBackArguments,
  ): void {
    this.serve(response, async () => {
      const a = args(raw);
      const reverse = this.reversible();
      const threadId = intArg(a, 'threadId');
      const stop = this.debugStopped.get(threadId);
      if (stop === undefined) throw new RequestError(`thread ${threadId} is not stopped`);
      this.debugStopped.delete(threadId);
      this.forgetStop();
      await reverse.stepBack(
        stop.thread,
        a.granularity === 'instruction' ? P.StepKind.Instruction : P.StepKind.Over,
      );
    });
  }

  protected override reverseContinueRequest(
    response: DebugProtocol.ReverseContinueResponse,
    raw: DebugProtocol.ReverseContinueArguments,
  ): void {
    this.serve(response, async () => {
      intArg(args(raw), 'threadId');
      const reverse = this.reversible();
      this.debugStopped.clear();
      this.forgetStop();
      await reverse.reverseContinue();
    });
  }

  protected override dataBreakpointInfoRequest(
    response: DebugProtocol.DataBreakpointInfoResponse,
    raw: DebugProtocol.DataBreakpointInfoArguments,
  ): void {
    this.serve(response, async () => {
      const a = args(raw);
      const name = stringArg(a, 'name', 200);
      const ref = optionalIntArg(a, 'variablesReference', 1);
      const none = (why: string) => {
        response.body = { dataId: null, description: why };
      };
      if (this.attached().reverse === undefined)
        return none('data breakpoints need a replay ("replay": <generation>)');
      const handle = ref === undefined ? undefined : this.vars.get(ref);
      if (handle?.kind !== 'object')
        return none('only a field of an object or an element of an array can be watched');
      const slot = await this.withReader(async (reader) => {
        const o = await reader.object(handle.ref);
        const element = /^\[(\d+)\]$/.exec(name);
        if (element) return Number(element[1]) < o.size / 4 ? Number(element[1]) : -1;
        return o.cls?.fieldNames.indexOf(name) ?? -1;
      });
      if (slot < 0) return none(`@0x${handle.ref.toString(16)} has no field or element '${name}'`);
      response.body = {
        dataId: `${handle.ref}:${slot}`,
        description: `${name} of @0x${handle.ref.toString(16)}`,
        accessTypes: ['write'],
        canPersist: false,
      };
    });
  }

  protected override setDataBreakpointsRequest(
    response: DebugProtocol.SetDataBreakpointsResponse,
    raw: DebugProtocol.SetDataBreakpointsArguments,
  ): void {
    this.serve(response, async () => {
      const list = args(raw).breakpoints ?? [];
      if (!Array.isArray(list) || list.length > P.MAX_BREAKPOINTS)
        throw new RequestError(`'breakpoints' must be an array (of at most ${P.MAX_BREAKPOINTS})`);
      const slots = list.map((b) => {
        const id = stringArg(args(b), 'dataId', 40);
        const m = /^(\d{1,10}):(\d{1,9})$/.exec(id);
        if (!m) throw new RequestError(`'${id}' is not a dataId that dataBreakpointInfo gave`);
        return { object: Number(m[1]), slot: Number(m[2]) };
      });
      const ids = await this.reversible().setDataBreakpoints(slots);
      response.body = { breakpoints: ids.map((id) => ({ id, verified: true })) };
    });
  }

  /**
   * Writes a local of a frame the debugger holds stopped (SET_LOCAL), or a field or array element
   * of a program object (SET_FIELD), with the value of an expression evaluated as `evaluate` does
   * (an int, a boolean, null, `@0x…` or a path to an object). The kernel checks the value against
   * what the slot may hold and refuses what would break the language's types, saying why.
   */
  protected override setVariableRequest(
    response: DebugProtocol.SetVariableResponse,
    raw: DebugProtocol.SetVariableArguments,
  ): void {
    this.serve(response, async () => {
      const a = args(raw);
      const ref = intArg(a, 'variablesReference', 1);
      const name = stringArg(a, 'name', 200);
      const text = stringArg(a, 'value', MAX_EXPRESSION_LENGTH);
      this.attached();
      const handle = this.vars.get(ref);
      if (handle === undefined)
        throw new RequestError(`no variables ${ref} (they last until the machine runs again)`);
      const expr = parse(text);
      response.body = await this.withReader(async (reader, client) => {
        let write: (value: P.WriteValue) => Promise<void>;
        let names = new Map<string, number>();
        if (handle.kind === 'object') {
          const o = await reader.object(handle.ref);
          const index = /^\[(\d+)\]$/.exec(name);
          const slot =
            o.cls?.internalId === L.CID_ARRAY
              ? index
                ? Number(index[1])
                : -1
              : (o.cls?.fieldNames.indexOf(name) ?? -1);
          if (slot < 0) throw new RequestError(`${o.cls?.name ?? 'the object'} has no field '${name}'`);
          write = (value) => client.setField(handle.ref, slot, value);
        } else {
          const stopped = handle.frame.stopped;
          if (stopped === undefined)
            throw new RequestError(
              'locals are written only in a thread stopped alone (a breakpoint, a step, an exception or a pause of that thread), not in a paused machine',
            );
          const slots = await this.frameSlots(reader, client, handle.frame);
          const local = slots.find((s) => s.name === name);
          if (local === undefined)
            throw new RequestError(`no ${handle.kind === 'arguments' ? 'argument' : 'local'} '${name}' here`);
          names = new Map(slots.map((s) => [s.name, s.word]));
          write = (value) => client.setLocal(stopped.thread, stopped.depth, local.slot, value);
        }
        const value = await this.evaluate(reader, expr, names);
        await write(toWriteValue(value));
        // What was read before the write no longer holds; the editor's handles still do.
        this.reader = undefined;
        const word = value.kind === 'word' ? value.word : value.kind === 'bool' && value.value ? 2 : 0;
        const shown = await this.show(new LiveReader(client), word);
        return { value: shown.value, ...shownDetails(shown) };
      });
    });
  }

  // ── stack, scopes, variables ──

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    raw: DebugProtocol.StackTraceArguments,
  ): void {
    this.serve(response, async () => {
      const a = args(raw);
      const threadId = intArg(a, 'threadId');
      const startFrame = optionalIntArg(a, 'startFrame') ?? 0;
      const levels = optionalIntArg(a, 'levels') ?? 0;
      response.body = await this.withReader(async (reader, client) => {
        const thread = (await client.threads()).find((t) => t.id === threadId);
        if (thread === undefined) throw new RequestError(`no thread ${threadId}`);
        const all = thread.frames;
        const chosen = all.slice(startFrame, levels > 0 ? startFrame + levels : undefined);
        await reader.prefetch(chosen.map((f) => f.method));
        const frames: DebugProtocol.StackFrame[] = [];
        for (const [i, f] of chosen.entries()) {
          // A frame's pc is its next instruction. That is where the innermost frame of a paused
          // thread stands; a caller, and a sleeping thread's innermost frame (the sleep is a native
          // call it is still in), are in the call just before it.
          const exact = startFrame + i === 0 && thread.state !== L.TS_SLEEPING;
          const pc = exact ? f.pc : Math.max(0, f.pc - 1);
          const stopped = this.debugStopped.has(threadId)
            ? { stopped: { thread: thread.ref, depth: startFrame + i } }
            : {};
          frames.push(
            await this.stackFrame(reader, { frameRef: f.frame, methodRef: f.method, pc, ...stopped }),
          );
        }
        return { stackFrames: frames, totalFrames: all.length };
      });
    });
  }

  /**
   * What is known of a machine method's source: what its method object holds (METHOD_DEBUG, written
   * with the code, so it always matches it), else the compiled sources when they compile to the
   * same code, else why neither.
   */
  private debugOf(
    m: MethodInfo,
  ): { debug: Pick<CompiledMethod, 'debug'>; file: string } | { problem: string } {
    const className = m.owner?.name ?? '?';
    if (m.debug !== undefined) {
      const file = isAbsolute(m.debug.file)
        ? m.debug.file
        : (this.index.classNamed(className)?.file ?? m.debug.file);
      return { debug: { debug: m.debug.info }, file };
    }
    const known = this.index.method(className, m.name, m.code);
    return 'method' in known ? { debug: known.method, file: known.file } : known;
  }

  private async stackFrame(reader: LiveReader, handle: FrameHandle): Promise<DebugProtocol.StackFrame> {
    const id = this.frames.create(handle);
    const m = await reader.method(handle.methodRef);
    const className = m.owner?.name ?? '?';
    const name = `${className}.${m.name}`;
    const known = this.debugOf(m);
    if ('debug' in known) {
      const at = statementAt(known.debug, handle.pc);
      const line = at?.line ?? lineAt(m.lines, handle.pc) ?? 0;
      return new StackFrame(
        id,
        name,
        new Source(basename(known.file), known.file),
        this.convertDebuggerLineToClient(line),
        at ? this.convertDebuggerColumnToClient(at.column) : 1,
      );
    }
    // The machine's own line table still says which line; the file is not known to match.
    const line = lineAt(m.lines, handle.pc);
    const frame = new StackFrame(id, `${name} (${known.problem})`) as DebugProtocol.StackFrame;
    frame.line = line === undefined ? 0 : this.convertDebuggerLineToClient(line);
    frame.column = 0;
    frame.presentationHint = 'subtle';
    const file = this.index.classNamed(className)?.file;
    if (file !== undefined && line !== undefined) {
      const source = new Source(basename(file), file) as DebugProtocol.Source;
      source.presentationHint = 'deemphasize';
      source.origin = 'the machine runs other code than this file';
      frame.source = source;
    }
    return frame;
  }

  private frame(frameId: number): FrameHandle {
    const f = this.frames.get(frameId);
    if (f === undefined)
      throw new RequestError(`no frame ${frameId} (frames last until the machine runs again)`);
    return f;
  }

  protected override scopesRequest(
    response: DebugProtocol.ScopesResponse,
    raw: DebugProtocol.ScopesArguments,
  ): void {
    this.serve(response, () => {
      const frame = this.frame(intArg(args(raw), 'frameId'));
      response.body = {
        scopes: [
          new Scope('Arguments', this.vars.create({ kind: 'arguments', frame }), false),
          new Scope('Locals', this.vars.create({ kind: 'locals', frame }), false),
        ],
      };
    });
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    raw: DebugProtocol.VariablesArguments,
  ): void {
    this.serve(response, async () => {
      const a = args(raw);
      const ref = intArg(a, 'variablesReference', 1);
      const start = optionalIntArg(a, 'start') ?? 0;
      const count = optionalIntArg(a, 'count') ?? 0;
      const handle = this.vars.get(ref);
      if (handle === undefined)
        throw new RequestError(`no variables ${ref} (they last until the machine runs again)`);
      response.body = {
        variables: await this.withReader((reader, client) =>
          handle.kind === 'object'
            ? this.objectVariables(reader, handle.ref, start, count)
            : this.frameVariables(reader, client, handle.frame, handle.kind),
        ),
      };
    });
  }

  /**
   * The frame's argument or local slots, named from the debug info at the frame's pc. A frame of a
   * thread the debugger holds stopped is read with FRAME, whose values say int or reference.
   */
  private async frameSlots(
    reader: LiveReader,
    client: DebugClient,
    frame: FrameHandle,
  ): Promise<{ name: string; slot: number; word: number; isArgument: boolean; typed?: ValueKind }[]> {
    const m = await reader.method(frame.methodRef);
    let slots: number[];
    let kinds: ValueKind[] = [];
    if (frame.stopped !== undefined) {
      const got = await client.frame(frame.stopped.thread, frame.stopped.depth);
      const locals = got.values.slice(0, got.localCount);
      slots = locals.map((v) =>
        v.kind === P.VALUE_INT ? (v.bits << 1) >>> 0 : v.bits === 0 ? 0 : v.bits + 1,
      );
      kinds = locals.map((v) => (v.kind === P.VALUE_INT ? 'int' : 'ref'));
    } else {
      const f = await reader.object(frame.frameRef);
      slots = reader.slots(f).slice(L.FRAME_LOCALS, L.FRAME_LOCALS + m.locals);
    }
    const known = this.debugOf(m);
    const live = 'debug' in known ? localsAt(known.debug, frame.pc) : undefined;
    const isStatic = (m.flags & L.MF_STATIC) !== 0;
    const out = [];
    for (const [slot, word] of slots.entries()) {
      const isArgument = slot < m.argc;
      let name: string | undefined;
      if (slot === 0 && !isStatic) name = 'this';
      else if (live !== undefined) name = live.get(slot)?.name;
      else name = `slot ${slot}`;
      const typed = kinds[slot];
      if (name !== undefined) out.push({ name, slot, word, isArgument, ...(typed ? { typed } : {}) });
    }
    return out;
  }

  private async frameVariables(
    reader: LiveReader,
    client: DebugClient,
    frame: FrameHandle,
    kind: 'arguments' | 'locals',
  ): Promise<DebugProtocol.Variable[]> {
    const slots = (await this.frameSlots(reader, client, frame)).filter(
      (s) => s.isArgument === (kind === 'arguments'),
    );
    await reader.prefetch(slots.flatMap((s) => refOf(s.word)));
    return Promise.all(slots.map((s) => this.variable(reader, s.name, s.word, s.typed)));
  }

  private async objectVariables(
    reader: LiveReader,
    ref: number,
    start: number,
    count: number,
  ): Promise<DebugProtocol.Variable[]> {
    const o = await reader.object(ref);
    const words = reader.slots(o);
    if (o.kind !== L.KIND_SLOTS) return [];
    if (o.cls?.internalId === L.CID_ARRAY) {
      const length = o.size / 4;
      const end = Math.min(length, start + (count > 0 ? count : ARRAY_PAGE));
      const page = [];
      for (let i = start; i < end; i++) page.push(i);
      await reader.prefetch(page.flatMap((i) => (i < words.length ? refOf(words[i]!) : [])));
      return Promise.all(
        page.map((i) =>
          i < words.length
            ? this.variable(reader, `[${i}]`, words[i]!)
            : Promise.resolve(
                new Variable(
                  `[${i}]`,
                  `(not read: the kernel's reply held ${words.length} of ${length} elements)`,
                ),
              ),
        ),
      );
    }
    const names = o.cls?.fieldNames ?? [];
    await reader.prefetch(words.flatMap(refOf));
    return Promise.all(words.map((w, i) => this.variable(reader, names[i] ?? `slot ${i}`, w)));
  }

  /** A variable for a value word: objects get a handle their children are read through (lazily). */
  private async variable(
    reader: LiveReader,
    name: string,
    word: number,
    typed?: ValueKind,
  ): Promise<DebugProtocol.Variable> {
    const shown =
      word === 0 && typed !== undefined
        ? typed === 'int'
          ? { value: '0', type: 'int' }
          : { value: 'null' }
        : await this.show(reader, word);
    const v = new Variable(
      name,
      shown.value,
      shown.ref ?? 0,
      shown.indexed,
      shown.named,
    ) as DebugProtocol.Variable;
    if (shown.type !== undefined) v.type = shown.type;
    // Where the object lies in the object space: a client can open it in an object inspector.
    if (shown.address !== undefined) v.memoryReference = `0x${shown.address.toString(16)}`;
    return v;
  }

  private async show(
    reader: LiveReader,
    word: number,
  ): Promise<{
    value: string;
    type?: string;
    ref?: number;
    indexed?: number;
    named?: number;
    /** The object's address in the object space, when the value is an object that could be read. */
    address?: number;
  }> {
    if (word === 0) return { value: '0', type: 'int or null' };
    const w: Word = decodeWord(word);
    if (w.kind === 'int') return { value: String(w.value), type: 'int' };
    let o: ObjectInfo;
    try {
      o = await reader.object(w.ref);
    } catch (err) {
      return { value: `@0x${w.ref.toString(16)} (${reason(err)})` };
    }
    const className = o.cls?.name ?? '?';
    if (o.cls?.internalId === L.CID_STRING) {
      const text = new TextDecoder().decode(o.payload);
      const cut = text.length > STRING_SHOWN ? `${text.slice(0, STRING_SHOWN)}…` : text;
      return { value: JSON.stringify(cut), type: 'string', address: w.ref };
    }
    const at = `@0x${w.ref.toString(16)}`;
    if (o.cls?.internalId === L.CID_ARRAY) {
      const length = o.size / 4;
      return {
        value: `${className} (length ${length}) ${at}`,
        type: className,
        ref: this.vars.create({ kind: 'object', ref: w.ref }),
        indexed: length,
        address: w.ref,
      };
    }
    if (o.kind !== L.KIND_SLOTS)
      return { value: `${className} (${o.size} bytes) ${at}`, type: className, address: w.ref };
    const fields = o.size / 4;
    return {
      value: `${className} ${at}`,
      type: className,
      address: w.ref,
      ...(fields > 0 ? { ref: this.vars.create({ kind: 'object', ref: w.ref }), named: fields } : {}),
    };
  }

  // ── evaluate ──

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    raw: DebugProtocol.EvaluateArguments,
  ): void {
    this.serve(response, async () => {
      const a = args(raw);
      const text = stringArg(a, 'expression', 100_000);
      const frameId = optionalIntArg(a, 'frameId');
      const expr = parse(text);
      if (frameId === undefined)
        throw new RequestError('evaluate needs a frame: pause the machine and pick one');
      const frame = this.frame(frameId);
      response.body = await this.withReader(async (reader, client) => {
        const names = new Map((await this.frameSlots(reader, client, frame)).map((s) => [s.name, s.word]));
        const value = await this.evaluate(reader, expr, names);
        if (value.kind === 'bool')
          return { result: String(value.value), type: 'boolean', variablesReference: 0 };
        if (value.kind === 'string')
          return { result: JSON.stringify(value.value), type: 'string', variablesReference: 0 };
        const shown = await this.show(reader, value.word);
        return { result: shown.value, ...shownDetails(shown) };
      });
    });
  }

  private async evaluate(reader: LiveReader, e: DapExpr, names: Map<string, number>): Promise<Value> {
    const word = (n: number): Value => ({ kind: 'word', word: ((n << 1) >>> 0) & 0xffffffff });
    const int = async (x: DapExpr): Promise<number> => {
      const v = await this.evaluate(reader, x, names);
      if (v.kind !== 'word') throw new RequestError('an int was expected');
      const d = decodeWord(v.word);
      if (d.kind !== 'int') throw new RequestError('an int was expected, not an object');
      return d.value;
    };
    const bool = async (x: DapExpr): Promise<boolean> => {
      const v = await this.evaluate(reader, x, names);
      if (v.kind === 'bool') return v.value;
      if (v.kind === 'word' && decodeWord(v.word).kind === 'int') return v.word !== 0;
      throw new RequestError('a boolean was expected');
    };
    const object = async (x: DapExpr): Promise<ObjectInfo> => {
      const v = await this.evaluate(reader, x, names);
      if (v.kind !== 'word' || v.word === 0 || decodeWord(v.word).kind !== 'ref')
        throw new RequestError('null or not an object');
      return reader.object(v.word - 1);
    };
    switch (e.kind) {
      case 'int':
        if (e.value < L.SMALLINT_MIN || e.value > L.SMALLINT_MAX)
          throw new RequestError(`${e.value} is not a small integer`);
        return word(e.value);
      case 'bool':
        return e;
      case 'string':
        return e;
      case 'null':
        return { kind: 'word', word: 0 };
      case 'object': {
        const o = await reader.object(e.ref).catch(() => undefined);
        if (o === undefined) throw new RequestError(`no object at @0x${e.ref.toString(16)}`);
        return { kind: 'word', word: e.ref + 1 };
      }
      case 'name': {
        const local = names.get(e.name);
        if (local !== undefined) return { kind: 'word', word: local };
        const self = names.get('this');
        if (self !== undefined && self !== 0) {
          const o = await reader.object(self - 1);
          const slot = o.cls?.fieldNames.indexOf(e.name) ?? -1;
          if (slot >= 0) return { kind: 'word', word: reader.slots(o)[slot] ?? 0 };
        }
        throw new RequestError(`no local or field named '${e.name}' here`);
      }
      case 'field': {
        const o = await object(e.target);
        if (e.name === 'length' && (o.cls?.internalId === L.CID_ARRAY || o.cls?.internalId === L.CID_STRING))
          return word(o.cls.internalId === L.CID_ARRAY ? o.size / 4 : o.size);
        const slot = o.cls?.fieldNames.indexOf(e.name) ?? -1;
        if (slot < 0) throw new RequestError(`${o.cls?.name ?? 'the object'} has no field '${e.name}'`);
        return { kind: 'word', word: reader.slots(o)[slot] ?? 0 };
      }
      case 'index': {
        const o = await object(e.target);
        const i = await int(e.index);
        if (o.cls?.internalId !== L.CID_ARRAY)
          throw new RequestError(`${o.cls?.name ?? 'the object'} is not an array`);
        if (i < 0 || i >= o.size / 4) throw new RequestError(`index ${i} is outside 0..${o.size / 4 - 1}`);
        const words = reader.slots(o);
        if (i >= words.length) throw new RequestError(`element ${i} was not in the kernel's reply`);
        return { kind: 'word', word: words[i]! };
      }
      case 'neg':
        return word(-(await int(e.operand)) | 0);
      case 'not':
        return { kind: 'bool', value: !(await bool(e.operand)) };
      case 'binary': {
        if (e.op === '&&' || e.op === '||') {
          const left = await bool(e.left);
          if (e.op === '&&' ? !left : left) return { kind: 'bool', value: left };
          return { kind: 'bool', value: await bool(e.right) };
        }
        if (e.op === '==' || e.op === '!=') {
          const l = await this.evaluate(reader, e.left, names);
          const r = await this.evaluate(reader, e.right, names);
          const same = l.kind === r.kind && JSON.stringify(l) === JSON.stringify(r);
          return { kind: 'bool', value: e.op === '==' ? same : !same };
        }
        const l = await int(e.left);
        const r = await int(e.right);
        switch (e.op) {
          case '<':
            return { kind: 'bool', value: l < r };
          case '<=':
            return { kind: 'bool', value: l <= r };
          case '>':
            return { kind: 'bool', value: l > r };
          case '>=':
            return { kind: 'bool', value: l >= r };
          case '+':
            return word(wrap(l + r));
          case '-':
            return word(wrap(l - r));
          case '*':
            return word(wrap(Math.imul(l, r)));
          case '/':
          case '%':
            if (r === 0) throw new RequestError('division by zero');
            return word(wrap(e.op === '/' ? Math.trunc(l / r) : l % r));
        }
      }
    }
  }

  // ── sources ──

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    this.serve(response, async () => {
      const names = await this.withReader(async (reader, client) => {
        const refs = await client.classes();
        await reader.prefetch(refs);
        const infos = await Promise.all(refs.map((r) => reader.classInfo(r)));
        return infos.flatMap((c) => (c === undefined ? [] : [c.name]));
      });
      response.body = { sources: this.index.filesOf(names).map((f) => new Source(basename(f), f)) };
    });
  }

  protected override customRequest(command: string, response: DebugProtocol.Response): void {
    if (command === 'continueMachineFromHere') {
      this.serve(response, async () => {
        const machine = this.attached();
        if (machine.continueMachine === undefined)
          throw new RequestError(
            'only a replay can continue the machine from here: attach with "replay": <generation>',
          );
        const done = await machine.continueMachine();
        response.body = done;
        this.sendEvent(
          new OutputEvent(
            `machine '${machine.name}' continues from generation ${done.generation} (a new branch from generation ${done.parent}, the replay's state at instruction ${done.position})${done.path === 'next-start' ? ' when it is next started' : done.path === 'in-place' ? ', in place' : ` (restarted: ${done.restartReason ?? 'not in place'})`}\n`,
            'console',
          ),
        );
      });
      return;
    }
    this.sendErrorResponse(response, {
      id: 1014,
      format: `unknown command '${command.replace(/[{}]/g, '')}'`,
      showUser: false,
    });
  }
}

/** A method of the machine with the debug info of its code. */
interface SourceMethod {
  readonly ref: number;
  readonly debug: Pick<CompiledMethod, 'debug'>;
}

/** The lines statements of these methods start on, in order, each once. */
function statementLines(methods: readonly SourceMethod[]): number[] {
  const lines = new Set<number>();
  for (const m of methods) {
    const s = m.debug.debug?.statements ?? [];
    for (let i = 1; i < s.length; i += 3) lines.add(s[i]!);
  }
  return [...lines].sort((a, b) => a - b);
}

/** The pcs of a method's statements that start on `line`. */
function statementPcs(m: Pick<CompiledMethod, 'debug'>, line: number): number[] {
  const s = m.debug?.statements ?? [];
  const pcs = [];
  for (let i = 0; i + 2 < s.length; i += 3) if (s[i + 1] === line) pcs.push(s[i]!);
  return pcs;
}

/** What evaluate and setVariable answer beside a value's text: its type and how it expands. */
function shownDetails(shown: { type?: string; ref?: number; indexed?: number; named?: number }): {
  type?: string;
  variablesReference: number;
  indexedVariables?: number;
  namedVariables?: number;
} {
  return {
    ...(shown.type ? { type: shown.type } : {}),
    variablesReference: shown.ref ?? 0,
    ...(shown.indexed !== undefined ? { indexedVariables: shown.indexed } : {}),
    ...(shown.named !== undefined ? { namedVariables: shown.named } : {}),
  };
}

/** An expression the editor sent, or a RequestError saying what is wrong with it. */
function parse(text: string): DapExpr {
  try {
    return parseDapExpression(text);
  } catch (err) {
    if (err instanceof DapExpressionError)
      throw new RequestError(`cannot evaluate '${text.slice(0, 80)}': ${err.message}`);
    throw err;
  }
}

/** What SET_LOCAL or SET_FIELD writes for an evaluated value: an int, a boolean's 0 or 1, a reference. */
function toWriteValue(v: Value): P.WriteValue {
  if (v.kind === 'bool') return { kind: 'int', value: v.value ? 1 : 0 };
  if (v.kind === 'string')
    throw new RequestError('the debugger does not make new strings; give an int, null or @0x…');
  const w = decodeWord(v.word);
  return w.kind === 'int' ? { kind: 'int', value: w.value } : { kind: 'ref', ref: v.word === 0 ? 0 : w.ref };
}

/** Wraps an int into the machine's 31-bit small integers. */
function wrap(n: number): number {
  return ((n << 1) | 0) >> 1;
}

function refOf(word: number): number[] {
  const w = decodeWord(word);
  return w.kind === 'ref' && word !== 0 ? [w.ref] : [];
}
