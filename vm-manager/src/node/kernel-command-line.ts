/**
 * The kernel command line a machine's config turns into, in the `key=value` form the kernel
 * parses (kernel-src/README.md, "Command line"): the store disk and the snapshot interval. The
 * object-space size is fixed in the image (`phc image --space-bytes`), not on the command line.
 */
import type { MachineConfig } from '../common/api.js';
import type { BootOptions } from './driver.js';

export function kernelCommandLine(config: MachineConfig, boot: BootOptions): string {
  const generation = boot.generation === undefined ? '' : ` gen=${boot.generation}`;
  return `store=virtio0 snap=${config.snapshotIntervalMs}${generation}`;
}
