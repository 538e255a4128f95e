/**
 * vm-manager's public surface for Node callers (the studio's host, the CLI, tests): the
 * `Machines` service and what it returns, the build pipeline, and the QMP client.
 */
export * from '../common/api.js';
export * from '../common/checkpoint-tree.js';
export * from '../common/diagnostics.js';
export * from '../common/errors.js';
export * from '../common/events.js';
export * from '../common/machine-name.js';
export { QmpClient } from './qmp-client.js';
export { machinesDir, stateDir } from './state-dir.js';
