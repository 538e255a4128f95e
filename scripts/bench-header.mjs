// bench-header.mjs — what every benchmark table says about where its figures come from: the
// accelerator its guests ran under and why (vm-manager's decision: KVM only when a probe boot of
// the kernel under it passed, issue 13), or that no guest ran. One line, right under the heading
// of the table's section, in every docs/bench-*.md and kernel-src/docs/bench-*.md, so a reader
// finds it in the same place; bench-header.test.mjs checks the bench scripts and the tables.
//
// Not the decision itself: callers pass the one their guests booted with (kernel-src/tests/
// qemu.mjs's `accelerator`, a machine's status, the inspector's test machine), so the line says
// what happened, and this module depends on no package.

/** Every accelerator line: a guest's accelerator with the decision's words, or no guest at all. */
export const ACCELERATOR_LINE = /^Accelerator: (?:(?:kvm|tcg) — \S.*|none \(no guest: host only\))\.$/;

/** The line for a table with no guest in it (a compiler, the studio in Chromium, a hosted build). */
export const HOST_ONLY = 'Accelerator: none (no guest: host only).';

/**
 * The line for figures from guests booted under `accel` ('kvm' or 'tcg') for the reason `why`
 * (AcceleratorChoice's one line); `scope` says which figures, when only some of the table's
 * come from the guest.
 */
export function acceleratorLine({ accel, why }, scope) {
  if (accel !== 'kvm' && accel !== 'tcg') throw new Error(`no accelerator line for '${accel}': ${why}`);
  return `Accelerator: ${accel} — ${why.replace(/\.$/, '')}${scope ? `; ${scope}` : ''}.`;
}

/** A table section's heading (`## …`) with its accelerator line under it. */
export function benchHeading(heading, line) {
  return `${heading}\n\n${line}`;
}
