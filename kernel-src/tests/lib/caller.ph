// caller: a CPU-bound program whose loop is one call after another (20,000 calls of step() per
// "call N" line), so that whatever the interpreter does per call shows in its line rate; for the
// debugger's benchmark (tests/bench/debugger.mjs), which sets breakpoints in code that never runs.
package .test;

import .internal.io.tty;

class caller {
  int step(var h : int, var i : int) {
    return (h * 31 + i) % 1000003;
  }

  void run() {
    var h = 1;
    for (var n = 1; true; n++) {
      for (var i = 0; i < 20000; i++)
        h = this.step(h, i);
      tty.println("call " + n);
    }
  }
};
