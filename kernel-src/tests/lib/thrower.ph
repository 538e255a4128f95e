// thrower: throws an error every 200 ms that its caller catches ("caught N"), and in round 20 one
// that nothing catches, which ends the thread; for the debugger's exception stops
// (tests/debugger.test.mjs).
package .test;

import .internal.io.tty;
import .internal.time;

class thrower {
  var rounds : int;

  void run() {
    while (true) {
      rounds++;
      try {
        this.fail();
      } catch (var x : .internal.error) {
        tty.println("caught " + rounds);
      }
      if (rounds == 20)
        this.fail();
      time.sleep(200);
    }
  }

  void fail() {
    throw new .internal.error("round " + rounds);
  }
};
