// counter: ticks every 100 ms of machine time and prints the tick, forever. After a restart
// from a snapshot it goes on counting from where the snapshot left it.
//
// The loop calls tick() rather than counting inline: a frame that is already running keeps
// its method's code, so when the studio installs an edited counter into the running machine,
// only code reached through a new call changes. The next tick() runs the new text.
package .demo;

import .internal.io.tty;
import .internal.time;

class counter {
  var count : int;

  void run() {
    while (true) {
      this.tick();
      time.sleep(100);
    }
  }

  void tick() {
    count++;
    tty.println("tick " + count);
  }
};
