/**
 * The host process's entry point under Electron: main forks this file as a utility process
 * and relays the renderer's API frames to it, and its frames back. One window, one session;
 * the handlers and the validation are the same as browser mode's.
 */
// First, so that every schema of the host (vm-manager's too) is built jitless.
import '../common/zod.js';
import { composeServices } from './compose.js';
import { repositoryPackageJson } from './paths.js';
import { Session } from './session.js';
import { readStudioVersion } from './studio-version.js';

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
const services = composeServices({ version: readStudioVersion(repositoryPackageJson), mode: 'electron' });
const session = new Session(services, (frame) => parentPort.postMessage({ frame }));
parentPort.on('message', ({ data }) => {
  void session.receive(String((data as { frame?: unknown }).frame));
});
