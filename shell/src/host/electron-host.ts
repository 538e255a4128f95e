/**
 * The host process's entry point under Electron: main forks this file as a utility process
 * and forwards the renderer's API frames to it; replies go back the same way. The handlers
 * and the validation are the same as browser mode's.
 */
import { dispatch } from '../common/dispatch.js';
import { repositoryPackageJson } from './paths.js';
import { createHandlers, readStudioVersion } from './services.js';

/** What Electron gives a utility process to talk to its parent. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) {
  console.error('electron-host: must be started by the Electron main process (utilityProcess.fork)');
  process.exit(2);
}
const handlers = createHandlers({ version: readStudioVersion(repositoryPackageJson), mode: 'electron' });
parentPort.on('message', async ({ data }) => {
  const { seq, frame } = data as { seq: number; frame: string };
  parentPort.postMessage({ seq, reply: JSON.stringify(await dispatch(handlers, String(frame))) });
});
