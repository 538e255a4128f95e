/**
 * The words a machine's status is made of, with no zod, Node or DOM, so that every side names
 * them from here: vm-manager's types, and the studio's API schemas (shell/src/common/api.ts),
 * which build their own zod enums from these lists.
 */

export const MACHINE_STATES = ['stopped', 'starting', 'running', 'paused', 'stopping', 'crashed'] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

/** How QEMU runs the guest: hardware virtualisation, or its own emulator. */
export const ACCELERATORS = ['kvm', 'tcg'] as const;
export type Accelerator = (typeof ACCELERATORS)[number];
