/**
 * The console keeper's process (console-keeper.ts): `node console-keeper-main.js QEMU-SOCKET
 * SOCKET LOG LOCK`, started detached by `ensureConsoleKeeper`. Serves until the machine's QEMU
 * closes the console, then exits 0; exits 1 when it cannot start (another keeper serves, or the
 * console is not there), saying why on stderr (the machine's logs/console-keeper.log).
 */
import { ConsoleKeeper } from './console-keeper.js';
import { runDaemon } from './daemon.js';

const [qemu, socket, log, lock] = process.argv.slice(2);
if (!qemu || !socket || !log || !lock) {
  process.stderr.write('usage: console-keeper-main.js QEMU-SOCKET KEEPER-SOCKET LOG LOCK\n');
  process.exit(2);
}
await runDaemon('console keeper', () => ConsoleKeeper.start({ qemu, socket, log, lock }));
