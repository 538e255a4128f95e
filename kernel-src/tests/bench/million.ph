// million: the channel benchmark's big space (tests/bench/channel-transport.mjs) — builds a list of
// one million objects, says so, then changes one object every 100 ms of machine time: a program
// that holds a big state and works on a little of it, whose "now" the inspector summarises.
package .bench;

import .internal.io.tty;
import .internal.time;

class cell {
  var next : cell;
};

class million {
  var head : cell;
  var ticks : int;

  void run() {
    for (var i = 0; i < 1000000; i++) {
      var c = new cell();
      c.next = head;
      head = c;
    }
    tty.println("million built");
    while (true) {
      ticks++;
      time.sleep(100);
    }
  }
};
