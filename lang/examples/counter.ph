// counter: ticks every 100 ms of machine time and prints the tick, forever. After a restart
// from a snapshot it goes on counting from where the snapshot left it.
package .demo;

import .internal.io.tty;
import .internal.time;

class counter {
  var count : int;

  void run() {
    while (true) {
      count++;
      tty.println("tick " + count);
      time.sleep(100);
    }
  }
};
