// soak: the soak benchmark's program — allocates without end and drops what it allocated, keeping
// a ring of 1,000 live strings that it keeps replacing. Its heap must stay bounded however long it
// runs. Prints a line every 10 rounds so a host can see it is alive.
package .bench;

import .internal.io.tty;
import .internal.time;

class soak {
  var keep : string[];

  void run() {
    keep = new string[1000];
    var rounds = 0;
    while (true) {
      for (var i = 0; i < 5000; i++) {
        var junk = new int[8];
        keep[i % 1000] = "kept " + i;
        var text = "dropped " + i;
      }
      rounds++;
      if (rounds % 10 == 0)
        tty.println("rounds " + rounds);
      time.sleep(10);
    }
  }
};
