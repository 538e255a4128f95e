import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where machines live: `$PHANTOM_STATE_DIR` when set (tests point it at a temporary folder),
 * else `$XDG_STATE_HOME/phantom`, else `~/.local/state/phantom` as the XDG base-directory
 * specification says.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PHANTOM_STATE_DIR) return env.PHANTOM_STATE_DIR;
  const xdg = env.XDG_STATE_HOME;
  // The specification says a relative XDG path is invalid and must be ignored.
  const base = xdg?.startsWith('/') ? xdg : join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'phantom');
}

export function machinesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'machines');
}
