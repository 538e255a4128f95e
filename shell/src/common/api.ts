/**
 * The studio's API: every call the renderer can make of the host, every event the host can
 * send, and the stream frames that carry console and terminal output, defined once here. The
 * host validates each incoming message against these schemas before acting on it, and the
 * renderer validates each message from the host, so both sides agree by construction.
 * Transport-neutral: browser mode carries these messages over a WebSocket, Electron over IPC.
 */
import { ACCELERATORS, MACHINE_STATES } from '@phantom/vm-manager/common/machine-state.js';
import { UserBreakpoint } from './breakpoints.js';
import { z } from './zod.js';

/** Largest request frame the host accepts; an installed class is the biggest thing sent. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** Stream output is sent at most this often (Hyper's batching interval: one frame at 60 Hz). */
export const STREAM_BATCH_MS = 16;
/** ... or as soon as this much is waiting, so a flood goes out in a few large frames. */
export const STREAM_BATCH_CHARS = 200 * 1024;
/** Unacknowledged output above which the host pauses the source (VS Code's pty high-water mark). */
export const STREAM_HIGH_WATER_CHARS = 512 * 1024;
/** ... and resumes it once the view has caught up to below this. */
export const STREAM_LOW_WATER_CHARS = 64 * 1024;

/** Lines a page of a machine's console log holds (`console.log`). */
export const LOG_PAGE_LINES = 5000;

/** Largest text a single terminal input or file save may carry. */
const MAX_TEXT_CHARS = 2 * 1024 * 1024;

export const StudioInfo = z.object({
  name: z.string(),
  version: z.string(),
  mode: z.enum(['electron', 'browser']),
  platform: z.string(),
});
export type StudioInfo = z.infer<typeof StudioInfo>;

/** The accelerator machines get on this host, and why (vm-manager's probe; see `phantom doctor`). */
export const HostAccelerator = z.object({
  /** null: no machine can start (PHANTOM_ACCEL asks for what this host cannot do). */
  name: z.enum(ACCELERATORS).nullable(),
  why: z.string(),
});
export type HostAccelerator = z.infer<typeof HostAccelerator>;

const StreamId = z.number().int().positive();
const TerminalSize = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };

/** Where files the editor may open live; a file is always named by a root and a relative path. */
export const FileRoot = z.enum(['examples', 'project']);
export type FileRoot = z.infer<typeof FileRoot>;
const RelativePath = z.string().min(1).max(1024);

export const FileEntry = z.object({ root: FileRoot, path: RelativePath });
export type FileEntry = z.infer<typeof FileEntry>;

export const MachineState = z.enum(MACHINE_STATES);
export type MachineState = z.infer<typeof MachineState>;

const MachineName = z.string().min(1).max(64);
/** An image definition's name (images/NAME.json); the host checks it against vm-manager's rule. */
const ImageName = z.string().min(1).max(64);

/** An image machines can be made from, as images/README.md defines them. */
export const ImageSummary = z.object({
  name: ImageName,
  description: z.string(),
  /** The programs' base names. */
  programs: z.array(z.string()),
  /** Why the definition cannot be used (the file and field, from its schema); unset when it can. */
  problem: z.string().optional(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

export const MachineSummary = z.object({
  name: MachineName,
  state: MachineState,
  driver: z.string(),
  /** The image the machine was made from. */
  image: z.string().optional(),
  /** The lang/examples program a machine made before images/ runs. */
  program: z.string().optional(),
  /** Why it crashed or failed to start, when it did. */
  reason: z.string().optional(),
});
export type MachineSummary = z.infer<typeof MachineSummary>;

/** One kernel generation: a committed snapshot of the object space. */
export const Generation = z.object({
  /**
   * Unique on the machine's timeline. Not the kernel's number: after a checkpoint revert the
   * kernel numbers new generations from the checkpoint's again.
   */
  id: z.number().int().nonnegative(),
  /** The kernel's generation number: what the inspector and a rollback name. */
  number: z.number().int().nonnegative(),
  /** The id of the generation this one follows (null: the first, or one never seen). */
  parent: z.number().int().nonnegative().nullable(),
  /** The kernel's number of that parent; after a rollback to N, the new branch's first has N. */
  parentNumber: z.number().int().nonnegative().nullable(),
  /** Milliseconds since the epoch when it was committed. */
  time: z.number(),
  /** The generation's stats, where the store records them (null: not known). */
  pauseMs: z.number().nonnegative().nullable(),
  dirtyPages: z.number().int().nonnegative().nullable(),
  objects: z.number().int().nonnegative().nullable(),
  bytes: z.number().int().nonnegative().nullable(),
  /**
   * Still on the store disk, so it can be inspected and rolled back to. False: the kernel's
   * retention reclaimed it, or a checkpoint revert took the disk back to before it; the
   * timeline keeps its record.
   */
  onDisk: z.boolean(),
  /**
   * Why the kernel will not resume this generation, when the store on the disk shows it damaged
   * (a bad index entry or record, a page that fails its checksum, an object space that is not
   * sound: lang/docs/store-format.md). Null: nothing found wrong, or no longer on the disk.
   */
  damage: z.string().nullable(),
});
export type Generation = z.infer<typeof Generation>;

/** One machine checkpoint: a hypervisor snapshot, taken while some generation was current. */
export const Checkpoint = z.object({
  name: z.string(),
  description: z.string(),
  time: z.number(),
  generation: z.number().int().nonnegative().nullable(),
  /** The checkpoint the machine came from when this one was taken (null: none). */
  parent: z.string().nullable(),
  /** It holds the machine's memory and disks (taken while it ran); false: the disk of a stopped machine. */
  withMemory: z.boolean(),
});
export type Checkpoint = z.infer<typeof Checkpoint>;

export const Timeline = z.object({
  generations: z.array(Generation),
  checkpoints: z.array(Checkpoint),
  /** The id of the generation the machine resumes from ("you are here"), if any. */
  current: z.number().int().nonnegative().nullable(),
});
export type Timeline = z.infer<typeof Timeline>;

/**
 * What the debugger keeps across restarts of the studio (in its state folder): the breakpoints by
 * file ("root/path") and the watch expressions.
 */
export const DebuggerSettings = z
  .object({
    breakpoints: z.record(z.string().min(1).max(1100), z.array(UserBreakpoint).max(1000)),
    watches: z.array(z.string().min(1).max(1000)).max(100),
  })
  .strict();
export type DebuggerSettings = z.infer<typeof DebuggerSettings>;

const MachineParams = z.object({ machine: MachineName }).strict();

/** A value as "when did this change?" found it at one generation (inspector/src/common/when.ts). */
const WhenValue = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('int'), value: z.number().int() }),
  z.object({ kind: z.literal('null') }),
  z.object({ kind: z.literal('ref'), ref: z.string(), className: z.string() }),
  z.object({ kind: z.literal('reachable'), value: z.boolean() }),
  z.object({ kind: z.literal('absent') }),
  z.object({ kind: z.literal('missing') }),
  z.object({ kind: z.literal('unknown') }),
]);
const WhenChange = z.object({
  before: z.number().int().nonnegative(),
  after: z.number().int().nonnegative(),
  from: WhenValue,
  to: WhenValue,
});
const WhenResult = z.object({
  ref: z.string(),
  target: z.string(),
  className: z.string(),
  generations: z.number().int().nonnegative(),
  oldest: z.number().int().nonnegative(),
  newest: z.number().int().nonnegative(),
  now: WhenValue,
  change: WhenChange.optional(),
  changes: z.array(WhenChange).optional(),
  note: z.string().optional(),
  probes: z.number().int().nonnegative(),
  reads: z.object({ pages: z.number().int().nonnegative(), blocks: z.number().int().nonnegative() }),
});
export type WhenResult = z.infer<typeof WhenResult>;
const Done = z.null();
const CheckpointName = z.string().min(1).max(100);
/** vm-manager's limit (checkpoints.ts: MAX_DESCRIPTION_CHARS). */
const Description = z.string().max(1000);

/** Method name → schemas of its parameters and its result. */
export const methods = {
  'studio.info': { params: z.object({}).strict(), result: StudioInfo },
  /** Separate from studio.info: the first answer on a host with a KVM device may take a probe boot. */
  'studio.accelerator': { params: z.object({}).strict(), result: HostAccelerator },
  /** The renderer has shown `chars` more characters of the stream (flow control). */
  'stream.ack': {
    params: z.object({ stream: StreamId, chars: z.number().int().positive() }).strict(),
    result: Done,
  },
  'stream.close': { params: z.object({ stream: StreamId }).strict(), result: Done },
  /** A terminal on the host (node-pty): the user's shell in the repository, for make, gdb, phantom. */
  'terminal.open': {
    params: z.object(TerminalSize).strict(),
    result: z.object({ stream: StreamId, title: z.string() }),
  },
  /** Keystrokes for a terminal or a machine's console. */
  'stream.input': {
    params: z.object({ stream: StreamId, data: z.string().max(MAX_TEXT_CHARS) }).strict(),
    result: Done,
  },
  'terminal.resize': { params: z.object({ stream: StreamId, ...TerminalSize }).strict(), result: Done },
  /** The machine's serial console; the stream starts with the scroll-back kept so far. */
  'console.attach': { params: MachineParams, result: z.object({ stream: StreamId }) },
  /**
   * A page of lines of the machine's console log on disk (all it ever printed), without the lines
   * that contain `hide`; with no page named, the last.
   */
  'console.log': {
    params: z
      .object({
        machine: MachineName,
        hide: z.string().max(200).optional(),
        page: z.number().int().nonnegative().optional(),
      })
      .strict(),
    result: z.object({
      text: z.string(),
      page: z.number().int().nonnegative(),
      pages: z.number().int().positive(),
      firstLine: z.number().int().nonnegative(),
      totalLines: z.number().int().nonnegative(),
      hiddenLines: z.number().int().nonnegative(),
    }),
  },
  'files.list': { params: z.object({}).strict(), result: z.array(FileEntry) },
  'files.read': { params: FileEntry.strict(), result: z.object({ text: z.string() }) },
  'files.write': {
    params: FileEntry.extend({ text: z.string().max(MAX_TEXT_CHARS) }).strict(),
    result: Done,
  },
  /**
   * The editor's language server (lang's `phc lsp`, in the host): a stream of Language Server
   * Protocol traffic. Each `stream.input` is one JSON-RPC message for the server; its output is
   * the server's messages, one JSON text a line. The renderer's documents are named
   * `phantom:/<root>/<path>`.
   */
  'lang.server': { params: z.object({}).strict(), result: z.object({ stream: StreamId }) },
  /**
   * The debugger: a session of the debug adapter (inspector's PhantomDebugSession, the one `phantom
   * dap` serves to VS Code and Neovim) in the host, one per call, seen as an API stream of Debug
   * Adapter Protocol traffic. Each `stream.input` is one DAP request (JSON); its output is the
   * adapter's responses and events, one JSON text a line (`DapMessage`). Closing the stream
   * disconnects the session, which clears the breakpoints it set in the machine. `roots`: where
   * the file roots are on the host, so the renderer can name a file as the adapter does (by path).
   */
  'debug.adapter': {
    params: z.object({}).strict(),
    result: z.object({ stream: StreamId, roots: z.record(FileRoot, z.string()) }),
  },
  'debug.settings': { params: z.object({}).strict(), result: DebuggerSettings },
  'debug.saveSettings': { params: DebuggerSettings, result: z.null() },
  'machines.list': { params: z.object({}).strict(), result: z.array(MachineSummary) },
  /** The image definitions in images/ (a package's: those it carries). */
  'images.list': { params: z.object({}).strict(), result: z.array(ImageSummary) },
  /** Builds the image and creates a machine that boots it (without one: the kernel alone). */
  'machines.create': {
    params: z.object({ machine: MachineName, image: ImageName.optional() }).strict(),
    result: MachineSummary,
  },
  'machine.build': { params: MachineParams, result: Done },
  'machine.start': { params: MachineParams, result: Done },
  'machine.stop': { params: MachineParams, result: Done },
  'machine.powerCut': { params: MachineParams, result: Done },
  /** Asks the kernel for a generation now; the result is its number. */
  'machine.snapshotNow': {
    params: MachineParams,
    result: z.object({ generation: z.number().int().nonnegative() }),
  },
  /** Takes a checkpoint: of a running machine its memory and disks, of a stopped one its disk. */
  'machine.checkpoint': {
    params: z.object({ machine: MachineName, name: CheckpointName, description: Description }).strict(),
    result: Done,
  },
  'machine.checkpointRename': {
    params: z.object({ machine: MachineName, checkpoint: CheckpointName, name: CheckpointName }).strict(),
    result: Done,
  },
  'machine.checkpointDescribe': {
    params: z.object({ machine: MachineName, checkpoint: CheckpointName, description: Description }).strict(),
    result: Done,
  },
  /**
   * Deletes a checkpoint after `undoMs`, unless `machine.checkpointRestore` comes first (GNOME
   * Boxes' undo); it leaves the timeline at once. `freedBytes`: the saved memory it gives back.
   */
  'machine.checkpointDelete': {
    params: z.object({ machine: MachineName, checkpoint: CheckpointName }).strict(),
    result: z.object({
      freedBytes: z.number().int().nonnegative().nullable(),
      undoMs: z.number().int().positive(),
    }),
  },
  /** Takes back a deletion whose time is not up. */
  'machine.checkpointRestore': {
    params: z.object({ machine: MachineName, checkpoint: CheckpointName }).strict(),
    result: Done,
  },
  /** The machine memory each checkpoint holds (what deleting it frees); null: the hypervisor lost it. */
  'machine.checkpointSizes': {
    params: MachineParams,
    result: z.array(z.object({ name: z.string(), bytes: z.number().int().nonnegative().nullable() })),
  },
  'machine.timeline': { params: MachineParams, result: Timeline },
  /**
   * Compiles a buffer and installs its classes into the running machine (replacing them live);
   * with `run`, then starts its program class (`ran` names it).
   */
  'machine.installClasses': {
    params: FileEntry.extend({
      machine: MachineName,
      text: z.string().max(MAX_TEXT_CHARS),
      /** Then start the file's program: a new thread doing `new C().run()` ("Install and run"). */
      run: z.boolean().optional(),
    }).strict(),
    result: z.object({ classes: z.array(z.string()), ran: z.string().optional() }),
  },
  /**
   * A machine's object space for the inspector's views, base64: a committed generation from its
   * store disk, or with none named the running machine now (read through its debug channel).
   */
  'inspector.space': {
    params: z
      .object({ machine: MachineName, generation: z.number().int().nonnegative().optional() })
      .strict(),
    result: z.object({ generation: z.number().int().nonnegative(), live: z.boolean(), bytes: z.string() }),
  },
  'inspector.generations': {
    params: MachineParams,
    result: z.array(
      z.object({
        generation: z.number().int().nonnegative(),
        parent: z.number().int().nonnegative().nullable(),
      }),
    ),
  },
  /**
   * "When did this change?": the generation in which a field (`.name`), element (`[i]`),
   * directory entry (`["key"]`) or reachability from the root (`reachable`) of the object at
   * `ref` last changed — or first took `equals`, or
   * every change with `all` — by bisection over the kept generations of the current branch, read
   * page by page from the store disk (never the running machine).
   */
  'inspector.when': {
    params: z
      .object({
        machine: MachineName,
        ref: z.number().int().nonnegative().max(0xffff_ffff),
        target: z.string().min(1).max(256),
        equals: z.string().min(1).max(64).optional(),
        all: z.boolean().optional(),
      })
      .strict(),
    result: WhenResult,
  },
  /**
   * Restarts the machine from a kernel generation, first keeping the present as a checkpoint,
   * which the result names (vm-manager's rollback, the CLI's too).
   */
  'machine.rollback': {
    params: z.object({ machine: MachineName, generation: z.number().int().nonnegative() }).strict(),
    result: z.object({ autoCheckpoint: z.string().optional() }),
  },
  /**
   * Reverts the machine to a checkpoint (its RAM and disks as they were then), first taking a
   * checkpoint of the present state, which the result names, so the revert loses nothing. A
   * checkpoint of a stopped machine leaves it stopped (`state`).
   */
  'machine.revert': {
    params: z.object({ machine: MachineName, checkpoint: CheckpointName }).strict(),
    result: z.object({
      revertedTo: z.string(),
      autoCheckpoint: z.string().optional(),
      state: z.enum(['running', 'paused', 'stopped']),
    }),
  },
} as const;

export type MethodName = keyof typeof methods;
export type Params<M extends MethodName> = z.infer<(typeof methods)[M]['params']>;
export type Result<M extends MethodName> = z.infer<(typeof methods)[M]['result']>;

/** Event name → schema of its data: what the host reports without being asked. */
export const events = {
  'machine.state': z.object({ machine: MachineName, state: MachineState, detail: z.string().optional() }),
  /** A long operation's progress, for the machine bar's progress bars. */
  'operation.progress': z.object({
    machine: MachineName,
    operation: z.enum(['build', 'boot', 'rollback', 'checkpoint']),
    step: z.string(),
    /** 0–100, or null while the length is unknown. */
    percent: z.number().min(0).max(100).nullable(),
    done: z.boolean(),
  }),
  'machine.timeline': z.object({ machine: MachineName }),
  /** Machines were made or removed (by the studio, the CLI, anyone): the list is worth reading again. */
  'machines.changed': z.object({}),
  /**
   * The machine committed a generation, and the host has read it from the store disk (so
   * `inspector.space` of it answers at once): what a live inspector follows.
   */
  'machine.generation': z.object({
    machine: MachineName,
    generation: z.number().int().nonnegative(),
    objects: z.number().int().nonnegative(),
  }),
  /** A failure in the background (not the reply to a call) that the user must see. */
  'studio.error': z.object({ title: z.string(), message: z.string(), details: z.string().optional() }),
} as const;

/**
 * A message of the debug adapter, as the renderer reads each line of a 'debug.adapter' stream:
 * DAP's base protocol (a response to a request, or an event); bodies are the adapter's and are
 * read field by field where they are used.
 */
export const DapMessage = z.union([
  z.looseObject({
    seq: z.number().int().nonnegative(),
    type: z.literal('response'),
    request_seq: z.number().int().nonnegative(),
    command: z.string(),
    success: z.boolean(),
    message: z.string().optional(),
    body: z.unknown().optional(),
  }),
  z.looseObject({
    seq: z.number().int().nonnegative(),
    type: z.literal('event'),
    event: z.string().min(1),
    body: z.unknown().optional(),
  }),
]);
export type DapMessage = z.infer<typeof DapMessage>;

export type EventName = keyof typeof events;
export type EventData<E extends EventName> = z.infer<(typeof events)[E]>;

export const Request = z
  .object({
    id: z.number().int().nonnegative(),
    method: z.string().min(1).max(100),
    params: z.unknown().optional(),
  })
  .strict();
export type Request = z.infer<typeof Request>;

/** Error codes a reply can carry, so the UI can tell a bad call from a failed operation. */
export enum ErrorCode {
  /** The frame was not JSON or not a request. */
  MalformedMessage = 'malformed-message',
  /** No such method. */
  UnknownMethod = 'unknown-method',
  /** The parameters do not match the method's schema. */
  InvalidParams = 'invalid-params',
  /** The method exists but this host cannot serve it (a service is missing). */
  Unavailable = 'unavailable',
  /** The operation itself failed (QEMU died, the disk is full, ...). */
  Failed = 'failed',
}

export const ApiErrorBody = z.object({
  code: z.nativeEnum(ErrorCode),
  message: z.string(),
  details: z.string().optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const Reply = z.union([
  z.object({ id: z.number().int().nonnegative().nullable(), result: z.unknown() }).strict(),
  z.object({ id: z.number().int().nonnegative().nullable(), error: ApiErrorBody }).strict(),
]);
export type Reply = { id: number | null; result: unknown } | { id: number | null; error: ApiErrorBody };

export const EventMessage = z.object({ event: z.string(), data: z.unknown() }).strict();
export type EventMessage = { [E in EventName]: { event: E; data: EventData<E> } }[EventName];

/** A batch of a stream's output, or its end (with the reason, for the user). */
export const StreamMessage = z.union([
  z.object({ stream: StreamId, data: z.string() }).strict(),
  z.object({ stream: StreamId, end: z.string() }).strict(),
]);
export type StreamMessage = z.infer<typeof StreamMessage>;

/** Everything the host sends the renderer. */
export type HostMessage = Reply | EventMessage | StreamMessage;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}

/** A failed call, as the client sees it. */
export class ApiError extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
  }
}
