/**
 * Which firmware and machine QEMU boots the Phantom kernel with. The kernel is loaded by QEMU itself
 * (`-kernel`, multiboot), so the firmware only has to set the machine up and jump to it: qboot
 * does that in a few milliseconds, where SeaBIOS, QEMU's default, spends hundreds of them under
 * TCG (kernel-src/docs/bench-coldstart.md). Every restart pays it again: a rollback to a
 * generation and a resume after a power cut both start QEMU afresh.
 *
 * qboot is used where this host's QEMU has it (Debian ships it with qemu-system-data); elsewhere
 * the machine boots with QEMU's default firmware, which works the same, only slower, and the
 * choice says so (`phantom doctor`, a machine's console). Both drivers ask here; the libvirt
 * driver only for a daemon on this host, whose QEMU reads the same files.
 *
 * The machine is the i440FX PC without what the kernel never uses (MACHINE_TYPE), whatever the
 * firmware. Everything that starts a guest takes both from here: the qemu driver, the libvirt
 * driver's domain (as far as libvirt can say it), the kernel's tests and benchmarks
 * (kernel-src/tests/qemu.mjs), the accelerator probe (KVM must run the kernel on this machine),
 * and through `phantom doctor --machine` `make qemu` and the inspector's test machines.
 *
 * Not here: which accelerator (accelerator.ts), the rest of QEMU's arguments (the drivers).
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';

/** Where Debian's QEMU keeps qboot. */
export const QBOOT_ROM = '/usr/share/qemu/qboot.rom';
/** Names another qboot ROM (a QEMU installed elsewhere); a path that is not a readable file means the default firmware. */
export const QBOOT_ROM_VARIABLE = 'PHANTOM_QBOOT_ROM';

/**
 * The i440FX PC without what the kernel never uses: ACPI tables (QEMU builds them at every start),
 * the HPET, VMware's I/O port and the SMBus controller. Measured with the CPU time QEMU spent up
 * to the kernel's first line (steadier than wall time on a shared host): 120 ms p50 against 140 ms
 * for plain `pc`, 10 starts each under qboot; kernel-src/docs/bench-coldstart.md has its column.
 */
export const MACHINE_TYPE = 'pc,acpi=off,hpet=off,vmport=off,smbus=off';

export type FirmwareChoice = { kind: 'qboot'; rom: string; why: string } | { kind: 'default'; why: string };

export interface FirmwareOptions {
  /** The qboot ROM to look for; default PHANTOM_QBOOT_ROM, else QBOOT_ROM. */
  qbootRom?: string;
  env?: NodeJS.ProcessEnv;
}

/** The ROM path asked for: the option, else the environment's, else Debian's. */
export function qbootRomPath(options: FirmwareOptions = {}): string {
  const env = options.env ?? process.env;
  return options.qbootRom ?? (env[QBOOT_ROM_VARIABLE]?.trim() || QBOOT_ROM);
}

/** qboot when its ROM is a readable file, else QEMU's default firmware with the reason. */
export async function chooseFirmware(options: FirmwareOptions = {}): Promise<FirmwareChoice> {
  const rom = qbootRomPath(options);
  try {
    if (!(await stat(rom)).isFile()) throw new Error('not a file');
    await access(rom, constants.R_OK);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'cannot be read as a file';
    return {
      kind: 'default',
      why: `default firmware (SeaBIOS): qboot's ROM ${rom} ${why}, so every start spends a few hundred ms more in the firmware (Debian: qemu-system-data has qboot)`,
    };
  }
  return { kind: 'qboot', rom, why: `qboot (${rom}): the fast firmware, for QEMU's direct kernel boot` };
}

/** QEMU's arguments for the choice. */
export function firmwareArguments(choice: FirmwareChoice): string[] {
  return choice.kind === 'qboot' ? ['-bios', choice.rom] : [];
}

/** QEMU's arguments for the machine and the firmware of a kernel QEMU loads itself (-kernel). */
export function machineArguments(choice: FirmwareChoice): string[] {
  return ['-machine', MACHINE_TYPE, ...firmwareArguments(choice)];
}
