// clock: prints "clock T", T the machine's uptime in ms, every 100 ms of machine time, so that a
// benchmark under QEMU's -icount (where machine time counts guest instructions) reads the guest's
// work per machine second from the other programs' lines between two clock lines; for the
// debugger's benchmark (tests/bench/debugger.mjs), attached and idle against no client.
package .test;

import .internal.io.tty;
import .internal.time;

class clock {
  void run() {
    while (true) {
      time.sleep(100);
      tty.println("clock " + time.uptime());
    }
  }
};
