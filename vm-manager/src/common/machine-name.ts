/**
 * Machine names: they name a directory under the state dir, a libvirt domain (`phantom-<name>`)
 * and a CLI argument, so they are kept to what is safe in all three.
 */

/** Long enough for a description, short enough for a libvirt domain name and a unix socket path. */
export const MAX_MACHINE_NAME_LENGTH = 40;

const MACHINE_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Why `name` cannot name a machine, or undefined when it can. */
export function machineNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a machine name cannot be empty';
  if (name.length > MAX_MACHINE_NAME_LENGTH)
    return `a machine name is at most ${MAX_MACHINE_NAME_LENGTH} characters`;
  if (!MACHINE_NAME.test(name)) {
    return `'${name}' is not a machine name: use lower-case letters, digits, '-' and '_', starting with a letter or digit`;
  }
  return undefined;
}
