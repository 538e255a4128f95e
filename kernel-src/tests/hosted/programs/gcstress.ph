// gcstress: 300,000 live objects, then 2,000,000 short-lived arrays in a 64 MiB space, so the
// collector runs many times over a large live list. An allocator that scans every hole of a long
// free list, or leaves garbage frames between the live objects, takes minutes here; both VMs must
// finish and leave the same heap.
package .check;

import .internal.io.tty;

class cell {
  var next : cell;
};

class gcstress {
  var head : cell;

  void run() {
    for (var i = 0; i < 300000; i++) {
      var c = new cell();
      c.next = head;
      head = c;
    }
    tty.println("live list built");
    for (var round = 0; round < 2000000; round++) {
      var junk = new int[4];
    }
    tty.println("garbage made");
  }
};
