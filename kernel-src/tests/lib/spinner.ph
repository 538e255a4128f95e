// spinner: a CPU-bound program that never sleeps and prints "spin N" after every 100,000 rounds of
// a hash loop, so the debug channel's flood test and benchmark (tests/debug-channel.test.mjs,
// tests/bench/channel-flood.mjs) can read the guest's throughput from the console's line rate.
package .test;

import .internal.io.tty;

class spinner {
  void run() {
    var h = 1;
    for (var n = 1; true; n++) {
      for (var i = 0; i < 100000; i++)
        h = (h * 31 + i) % 1000003;
      tty.println("spin " + n);
    }
  }
};
