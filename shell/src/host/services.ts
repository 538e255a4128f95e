/**
 * The host's API handlers: where the services (vm-manager, inspector, lang) meet the UI's API.
 * Both transports (browser mode's WebSocket and Electron's MessagePort) dispatch into these.
 */
import { readFileSync } from 'node:fs';
import type { StudioInfo } from '../common/api.js';
import type { Handlers } from '../common/dispatch.js';

export interface StudioIdentity {
  version: string;
  mode: StudioInfo['mode'];
}

/** The studio's version is the repository's: one number for everything we ship together. */
export function readStudioVersion(packageJsonPath: string): string {
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error(`${packageJsonPath} has no version`);
  return pkg.version;
}

export function createHandlers(identity: StudioIdentity): Handlers {
  return {
    'studio.info': () => ({
      name: 'Phantom Studio',
      version: identity.version,
      mode: identity.mode,
      platform: process.platform,
    }),
  };
}
