/**
 * Puts the host's services together from the environment, the same way for browser mode and
 * Electron: the file roots the editor may use, where terminals start, the machines and
 * the inspector's view of them.
 */
import { join } from 'node:path';
import { imagesDir } from '@phantom/vm-manager/node/images.js';
import { stateDir } from '@phantom/vm-manager/node/state-dir.js';
import { DebuggerSettingsFile } from './debugger-settings.js';
import { Files } from './files.js';
import { InspectorSpaces } from './inspector-spaces.js';
import { MachineService } from './machine-service.js';
import { repositoryRoot } from './paths.js';
import type { HostServices, StudioIdentity } from './services.js';

export function composeServices(
  identity: StudioIdentity,
  env: NodeJS.ProcessEnv = process.env,
): HostServices {
  // A packaged studio (Electron's main sets PHANTOM_PREBUILT_DIR to its resources folder)
  // starts machines from the kernel and the built images it carries, instead of building them.
  const prebuiltDir = env.PHANTOM_PREBUILT_DIR;
  const machines = new MachineService(
    join(stateDir(env), 'machines'),
    prebuiltDir
      ? {
          kernelPath: join(prebuiltDir, 'kernel-src', 'build', 'phantom.elf'),
          imagesDir: imagesDir(prebuiltDir),
        }
      : undefined,
  );
  return {
    identity,
    files: new Files({
      examples: join(repositoryRoot, 'lang', 'examples'),
      // The user's own programs: $PHANTOM_PROJECT_DIR, else a folder in the studio's state.
      project: env.PHANTOM_PROJECT_DIR || join(stateDir(env), 'project'),
    }),
    terminalCwd: repositoryRoot,
    machines,
    inspector: new InspectorSpaces(machines),
    debuggerSettings: new DebuggerSettingsFile(join(stateDir(env), 'debugger.json')),
  };
}
