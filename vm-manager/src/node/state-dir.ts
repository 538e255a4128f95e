import { homedir } from 'node:os';
import { join } from 'node:path';

/** An XDG base directory: the variable when it is absolute (the specification says a relative one is ignored), else `~/<fallback>`. */
function xdgBase(env: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const value = env[variable];
  return value?.startsWith('/') ? value : join(env.HOME || homedir(), fallback);
}

/**
 * Where machines live: `$PHANTOM_STATE_DIR` when set (tests point it at a temporary folder),
 * else `$XDG_STATE_HOME/phantom`, else `~/.local/state/phantom` as the XDG base-directory
 * specification says.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PHANTOM_STATE_DIR) return env.PHANTOM_STATE_DIR;
  return join(xdgBase(env, 'XDG_STATE_HOME', '.local/state'), 'phantom');
}

export function machinesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'machines');
}

/**
 * Where answers worth keeping but cheap to lose go (the accelerator probe's):
 * `$XDG_CACHE_HOME/phantom`, else `~/.cache/phantom`. Not under PHANTOM_STATE_DIR: tests that
 * give each case its own state dir still share one probe.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(xdgBase(env, 'XDG_CACHE_HOME', '.cache'), 'phantom');
}
