/**
 * The channel broker's process (channel-broker.ts): `node channel-broker-main.js KERNEL SOCKET
 * LOCK`, started detached by `ensureChannelBroker`. Serves until the machine's QEMU closes the
 * channel, then exits 0; exits 1 when it cannot start (another broker serves, or the channel is not
 * there), saying why on stderr (the machine's logs/channel-broker.log).
 */
import { ChannelBroker } from './channel-broker.js';
import { runDaemon } from './daemon.js';

const [kernel, socket, lock] = process.argv.slice(2);
if (!kernel || !socket || !lock) {
  process.stderr.write('usage: channel-broker-main.js KERNEL-SOCKET BROKER-SOCKET LOCK\n');
  process.exit(2);
}
await runDaemon('channel broker', () => ChannelBroker.start({ kernel, socket, lock }));
