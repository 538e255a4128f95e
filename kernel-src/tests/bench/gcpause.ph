// gcpause: the GC benchmark's program — keeps a list of one million live objects and then
// allocates garbage until the collector has run several times with all of them live. phrun
// --stats reports the collections and the longest pause.
package .bench;

import .internal.io.tty;

class cell {
  var next : cell;
};

class gcpause {
  var head : cell;

  void run() {
    for (var i = 0; i < 1000000; i++) {
      var c = new cell();
      c.next = head;
      head = c;
    }
    tty.println("live list built");
    for (var round = 0; round < 6000000; round++) {
      var junk = new int[4];
    }
    tty.println("garbage made");
  }
};
