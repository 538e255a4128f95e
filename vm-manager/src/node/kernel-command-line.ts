/**
 * The kernel command line a machine's config turns into, in the `key=value` form the kernel
 * parses (kernel-src/README.md, "Command line"): the store disk and the snapshot interval, the
 * generation a rollback boots, then the image definition's own options (checked when the
 * definition and the config were read: none of them can override the first three). The
 * object-space size is fixed in the image (`phc image --space-bytes`), not on the command line.
 */
import type { MachineConfig } from '../common/api.js';
import type { BootOptions } from './driver.js';

export function kernelCommandLine(
  config: Pick<MachineConfig, 'snapshotIntervalMs' | 'kernelCommandLine'>,
  boot: BootOptions,
): string {
  const generation = boot.generation === undefined ? '' : ` gen=${boot.generation}`;
  const extra = config.kernelCommandLine ? ` ${config.kernelCommandLine}` : '';
  return `store=virtio0 snap=${config.snapshotIntervalMs}${generation}${extra}`;
}
