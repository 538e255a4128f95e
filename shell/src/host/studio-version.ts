/**
 * The studio's version, read at start-up by both host entries. A module of its own so that
 * browser mode's entry can print it without loading the services.
 */
import { readFileSync } from 'node:fs';

/** The studio's version is the repository's: one number for everything we ship together. */
export function readStudioVersion(packageJsonPath: string): string {
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error(`${packageJsonPath} has no version`);
  return pkg.version;
}
