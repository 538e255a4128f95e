/**
 * The host's API handlers: where the services (vm-manager, inspector, lang) meet the UI's API.
 * One set of handlers per connection (a session), because streams belong to the connection
 * that opened them. Both transports (browser mode's WebSocket, Electron's IPC) dispatch here.
 */
import { ApiError, ErrorCode, type StudioInfo } from '../common/api.js';
import type { Handlers } from '../common/dispatch.js';
import { readLogPage } from './console-log.js';
import { DebugAdapterStream } from './debug-adapter.js';
import type { DebuggerSettingsFile } from './debugger-settings.js';
import type { Files } from './files.js';
import type { InspectorSpaces } from './inspector-spaces.js';
import { compileClasses, programClass } from './language.js';
import { LanguageServer } from './language-server.js';
import type { MachineService } from './machine-service.js';
import type { StreamHub } from './stream-hub.js';
import { Terminal } from './terminal.js';

export interface StudioIdentity {
  version: string;
  mode: StudioInfo['mode'];
}

/** What the host runs, shared by every connection. */
export interface HostServices {
  identity: StudioIdentity;
  files: Files;
  /** Where a new terminal's shell starts: the repository, so `make` and `npx phantom` work. */
  terminalCwd: string;
  machines: MachineService;
  /** Object spaces of a machine's generations (or of it now), for the inspector's views. */
  inspector: InspectorSpaces;
  /** The debugger's breakpoints and watch expressions, kept between runs. */
  debuggerSettings: DebuggerSettingsFile;
}

function terminal(hub: StreamHub, stream: number): Terminal {
  const source = hub.source(stream);
  if (!(source instanceof Terminal))
    throw new ApiError({ code: ErrorCode.InvalidParams, message: `stream ${stream} is not a terminal` });
  return source;
}

export function createHandlers(services: HostServices, hub: StreamHub): Handlers {
  const { machines } = services;
  return {
    'studio.info': () => ({
      name: 'Phantom Studio',
      version: services.identity.version,
      mode: services.identity.mode,
      platform: process.platform,
    }),
    'studio.accelerator': () => machines.accelerator(),
    'stream.ack': ({ stream, chars }) => {
      hub.ack(stream, chars);
      return null;
    },
    'stream.close': ({ stream }) => {
      hub.close(stream);
      return null;
    },
    'terminal.open': ({ cols, rows }) => {
      const source = new Terminal({ cols, rows, cwd: services.terminalCwd });
      return { stream: hub.open(source), title: source.title };
    },
    'stream.input': ({ stream, data }) => {
      const source = hub.source(stream);
      if (!source.write)
        throw new ApiError({ code: ErrorCode.InvalidParams, message: `stream ${stream} takes no input` });
      source.write(data);
      return null;
    },
    'terminal.resize': ({ stream, cols, rows }) => {
      terminal(hub, stream).resize(cols, rows);
      return null;
    },
    'console.attach': async ({ machine }) => ({ stream: hub.open(await machines.attachConsole(machine)) }),
    'console.log': async ({ machine, ...request }) =>
      readLogPage((await machines.machine(machine)).consoleLogPath, request),
    'files.list': () => services.files.list(),
    'files.read': async (entry) => ({ text: await services.files.read(entry) }),
    'files.write': async ({ text, ...entry }) => {
      await services.files.write(entry, text);
      return null;
    },
    'lang.server': () => ({ stream: hub.open(new LanguageServer()) }),
    'debug.adapter': () => ({
      stream: hub.open(
        new DebugAdapterStream(
          (ended) => machines.debugHost(ended),
          async (name) => {
            const { state } = await (await machines.machine(name)).status();
            return state === 'running' || state === 'paused';
          },
        ),
      ),
      roots: services.files.roots,
    }),
    'debug.settings': () => services.debuggerSettings.read(),
    'debug.saveSettings': async (settings) => {
      await services.debuggerSettings.write(settings);
      return null;
    },
    'machines.list': () => machines.list(),
    'images.list': () => machines.images(),
    'machines.create': ({ machine, image }) => machines.create(machine, image),
    'machine.build': async ({ machine }) => {
      await machines.rebuild(machine);
      return null;
    },
    'machine.start': async ({ machine }) => {
      await machines.start(machine);
      return null;
    },
    'machine.stop': async ({ machine }) => {
      await machines.stop(machine);
      return null;
    },
    'machine.powerCut': async ({ machine }) => {
      await machines.powerCut(machine);
      return null;
    },
    'machine.snapshotNow': async ({ machine }) => ({ generation: await machines.snapshotNow(machine) }),
    'machine.checkpoint': async ({ machine, name, description }) => {
      await machines.checkpoint(machine, name, description);
      return null;
    },
    'machine.checkpointRename': async ({ machine, checkpoint, name }) => {
      await machines.renameCheckpoint(machine, checkpoint, name);
      return null;
    },
    'machine.checkpointDescribe': async ({ machine, checkpoint, description }) => {
      await machines.describeCheckpoint(machine, checkpoint, description);
      return null;
    },
    'machine.checkpointDelete': ({ machine, checkpoint }) => machines.deleteCheckpoint(machine, checkpoint),
    'machine.checkpointRestore': async ({ machine, checkpoint }) => {
      await machines.restoreCheckpoint(machine, checkpoint);
      return null;
    },
    'machine.checkpointSizes': ({ machine }) => machines.checkpointSizes(machine),
    'machine.timeline': ({ machine }) => machines.timeline(machine),
    'machine.installClasses': async ({ machine, text, run, ...entry }) => {
      const classes = compileClasses(entry, text);
      return machines.installClasses(machine, classes, run ? programClass(entry, classes) : undefined);
    },
    'inspector.space': async ({ machine, generation }) => {
      const space = await services.inspector.space(machine, generation);
      const bytes = Buffer.from(space.bytes.buffer, space.bytes.byteOffset, space.bytes.length).toString(
        'base64',
      );
      return { generation: space.generation, live: space.live, bytes };
    },
    'inspector.generations': async ({ machine }) =>
      (await services.inspector.generations(machine)).map((g) => ({
        generation: g.generation,
        parent: g.parent,
      })),
    'inspector.when': ({ machine, ref, target, equals, all }) =>
      services.inspector.when(machine, ref, target, { equals, all }),
    'machine.rollback': ({ machine, generation }) => machines.rollback(machine, generation),
    'machine.revert': ({ machine, checkpoint }) => machines.revert(machine, checkpoint),
  };
}
