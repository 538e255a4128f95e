/**
 * vm-manager's public surface for Node callers (the studio's host, the CLI, tests): the
 * `Machines` service and what it returns, the build pipeline, and the QMP client.
 */

export * from '@phantom/inspector/common/events.js';
export * from '../common/api.js';
export * from '../common/checkpoint-tree.js';
export * from '../common/diagnostics.js';
export * from '../common/errors.js';
export * from '../common/machine-name.js';
export type { Checkpoints } from './checkpoints.js';
export {
  CONSOLE_BATCH_BYTES,
  CONSOLE_BATCH_MS,
  CONSOLE_HIGH_WATER_BYTES,
  CONSOLE_LOW_WATER_BYTES,
} from './console-hub.js';
export { Machine, Machines, type MachinesOptions } from './machines.js';
export { QmpClient } from './qmp-client.js';
export { machinesDir, stateDir } from './state-dir.js';
