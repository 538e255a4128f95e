/**
 * A machine's debug channel as one process uses it, for the studio's host and the `phantom` CLI
 * alike: the one connection the process keeps (inspector's SharedDebugChannel) to the machine's
 * channel broker (channel-broker.ts, which other processes share), the turns its users take on it, and the requests both faces make of the kernel — snapshot now, install
 * classes and run one — with the machine-state checks before them. Failures are VmErrors:
 * `bad-state` when the machine is not running, `debug-channel` when the channel cannot be reached
 * or the kernel refuses.
 *
 * Not here: finding the channel (the machine gives a function that does), and reading object
 * spaces through it (the inspector's live-source.ts).
 */

import type { BranchReply, RollbackReply } from '@phantom/inspector/common/debug-protocol.js';
import { DebugRequestError, NoReplyError } from '@phantom/inspector/node/debug-client.js';
import type { ChannelConnection, SharedChannelOptions } from '@phantom/inspector/node/shared-channel.js';
import {
  DEFAULT_SHARED_CHANNEL_OPTIONS,
  SharedDebugChannel,
} from '@phantom/inspector/node/shared-channel.js';
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import type { MachineState } from '../common/api.js';
import { VmError } from '../common/errors.js';
import { Turns } from '../common/turns.js';

/** What the channel needs of its machine. */
export interface ChannelMachine {
  readonly name: string;
  status(): Promise<{ state: MachineState }>;
}

export interface InstallResult {
  /** The classes installed (or replaced), in the order sent. */
  classes: string[];
  /** The class whose run() was started in a new thread, when one was asked for. */
  ran?: string;
}

/** How long a rollback in place may take: the mount reads and checks every page of the generation. */
const IN_PLACE_TIMEOUT_MS = 120_000;
/** The object space's page (lang/spec: DBG_PAGE_BYTES). */
const PAGE_BYTES = 4096;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class MachineChannel {
  /** The process's one connection to the channel, for whoever follows the machine's generations too. */
  readonly shared: SharedDebugChannel;
  private readonly turns = new Turns();

  /**
   * `socket` finds the channel to connect to (the machine's channel broker, started if none
   * serves), asked on each attempt to connect.
   */
  constructor(
    private readonly machine: ChannelMachine,
    readonly socket: () => Promise<string>,
    options: SharedChannelOptions = DEFAULT_SHARED_CHANNEL_OPTIONS,
  ) {
    this.shared = new SharedDebugChannel(socket, options);
  }

  /**
   * Runs `action` on the connection once every earlier user of it in this process is done
   * (Turns: the kernel answers in order), connecting first if needed.
   */
  use<T>(action: (connection: ChannelConnection) => Promise<T>): Promise<T> {
    return this.turns.take(async () => {
      let connection: ChannelConnection;
      try {
        connection = await this.shared.connect();
      } catch (err) {
        if (err instanceof VmError) throw err;
        throw new VmError(
          'debug-channel',
          `cannot reach the kernel's debug channel of '${this.machine.name}': ${reason(err)}`,
          { cause: err },
        );
      }
      return action(connection);
    });
  }

  /** Asks the kernel to commit a generation now; resolves to its number once it is committed. */
  async snapshotNow(): Promise<number> {
    const { state } = await this.machine.status();
    if (state !== 'running')
      throw new VmError('bad-state', `machine '${this.machine.name}' is ${state}, not running`);
    return this.use(async ({ client }) => {
      try {
        return await client.snapshotNow();
      } catch (err) {
        throw new VmError(
          'debug-channel',
          `the kernel of '${this.machine.name}' did not take the snapshot: ${reason(err)}`,
          { cause: err },
        );
      }
    });
  }

  /**
   * Rolls the running machine back in place to kept generation `generation` (the kernel's
   * ROLLBACK): resolves to the kernel's reply once the threads run on it, or to a reason string
   * when this machine cannot (not running, the channel does not answer, a kernel older than
   * debug protocol revision 4): the caller then restarts it instead. A refusal by the kernel (a
   * generation it does not keep, or damaged) is a VmError; nothing changed then.
   */
  async rollbackInPlace(generation: number): Promise<RollbackReply | string> {
    const { name } = this.machine;
    const { state } = await this.machine.status();
    if (state !== 'running') return `the machine is ${state}`;
    let reply: RollbackReply | string;
    try {
      reply = await this.use(async ({ client }) => {
        if (!client.canRollBackInPlace)
          return 'the kernel predates rollback in place (debug protocol revision 4)';
        try {
          return await client.rollback(generation, IN_PLACE_TIMEOUT_MS);
        } catch (err) {
          if (err instanceof DebugRequestError)
            throw new VmError(
              'debug-channel',
              `the kernel of '${name}' did not roll back to generation ${generation}: ${reason(err)}`,
              { cause: err },
            );
          throw err;
        }
      });
    } catch (err) {
      if (err instanceof VmError && err.code === 'debug-channel' && err.cause instanceof DebugRequestError)
        throw err;
      if (err instanceof NoReplyError)
        throw new VmError(
          'debug-channel',
          `the kernel of '${name}' did not answer the rollback to generation ${generation} within ${IN_PLACE_TIMEOUT_MS / 1000} s`,
          { cause: err },
        );
      return `its debug channel did not answer (${reason(err)})`;
    }
    return reply;
  }

  /**
   * Continues the running machine from `space` in place (STAGE_PAGE and BRANCH, debug protocol
   * revision 5): the pages that differ from generation `parentSpace` (and page 0, which the first
   * STAGE_PAGE needs) go to the kernel, which rolls back to `parent`, puts them over it, checks the
   * space and commits it as a new generation. Resolves to the reply, or to why not in place (the
   * machine is not running, its kernel predates BRANCH, its channel does not answer): the caller
   * then writes the generation on the stopped machine. A refusal by the kernel is a VmError, the
   * machine running on the generation it ran on before.
   */
  async branchInPlace(
    parent: number,
    parentSpace: Uint8Array,
    space: Uint8Array,
  ): Promise<BranchReply | string> {
    const { name } = this.machine;
    const { state } = await this.machine.status();
    if (state !== 'running') return `the machine is ${state}`;
    if (space.length !== parentSpace.length)
      throw new VmError(
        'bad-input',
        `the space is ${space.length} bytes; the machine's is ${parentSpace.length}`,
      );
    const pages: { page: number; bytes: Uint8Array }[] = [];
    for (let at = 0; at < space.length; at += PAGE_BYTES) {
      const bytes = space.subarray(at, at + PAGE_BYTES);
      if (at === 0 || !sameBytes(bytes, parentSpace.subarray(at, at + PAGE_BYTES)))
        pages.push({ page: at / PAGE_BYTES, bytes });
    }
    try {
      return await this.use(async ({ client }) => {
        if (!client.canBranchInPlace)
          return 'the kernel predates continuing in place (debug protocol revision 5)';
        try {
          return await client.branch(parent, pages, IN_PLACE_TIMEOUT_MS);
        } catch (err) {
          if (err instanceof DebugRequestError)
            throw new VmError(
              'bad-input',
              `the kernel of '${name}' did not continue from the space: ${reason(err)}`,
              {
                cause: err,
              },
            );
          throw err;
        }
      });
    } catch (err) {
      if (err instanceof VmError) throw err;
      if (err instanceof NoReplyError)
        throw new VmError(
          'debug-channel',
          `the kernel of '${name}' did not answer the branch within ${IN_PLACE_TIMEOUT_MS / 1000} s`,
          { cause: err },
        );
      return `its debug channel did not answer (${reason(err)})`;
    }
  }

  /**
   * Installs classes into the running machine: new ones are added, existing ones replaced in
   * place (running frames keep their code; new calls use the new one). The kernel refuses a
   * replacement that changes the fields, saying why. With `runClass`, then starts that class's
   * run() in a new thread.
   */
  async installClasses(classes: readonly CompiledClass[], runClass?: string): Promise<InstallResult> {
    const { name } = this.machine;
    const { state } = await this.machine.status();
    if (state !== 'running' && state !== 'paused')
      throw new VmError('bad-state', `machine '${name}' is ${state}: start it to install classes into it`);
    return this.use(async ({ client }) => {
      const installed: string[] = [];
      for (const cls of classes) {
        try {
          await client.installClass(cls);
        } catch (err) {
          const already = installed.length ? ` (already installed: ${installed.join(', ')})` : '';
          throw new VmError('debug-channel', `the kernel refused ${cls.name}: ${reason(err)}${already}`, {
            cause: err,
          });
        }
        installed.push(cls.name);
      }
      if (runClass === undefined) return { classes: installed };
      try {
        await client.run(runClass);
      } catch (err) {
        throw new VmError(
          'debug-channel',
          `installed ${installed.join(', ')}, but the kernel could not run ${runClass}: ${reason(err)}`,
          { cause: err },
        );
      }
      return { classes: installed, ran: runClass };
    });
  }

  /** Closes the connection for good. */
  dispose(): void {
    this.shared.close();
  }
}
