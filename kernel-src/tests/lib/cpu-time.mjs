// cpu-time.mjs — CPU time of a process (QEMU) from /proc, for the benchmarks that weigh what a
// guest got against what the host spent: the whole process's, or only its vCPU threads' (named
// "CPU N/TCG" or "CPU N/KVM" when QEMU runs with -name debug-threads=on).
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_S = 100;

/** User + system ticks of a /proc/…/stat line, in ms (the name in parentheses may hold spaces). */
function statMs(stat) {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

/** CPU time (user + system, ms) the process `pid` has used so far, all its threads. */
export function cpuMs(pid) {
  return statMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** CPU time (ms) of QEMU's vCPU threads so far; 0 for a process that has none or has gone. */
export function vcpuMs(pid) {
  let ms = 0;
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const task of tasks) {
    let stat = '';
    try {
      stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    } catch {
      continue;
    }
    if (/\(CPU \d+\/[A-Z]+\)/.test(stat)) ms += statMs(stat);
  }
  return ms;
}
