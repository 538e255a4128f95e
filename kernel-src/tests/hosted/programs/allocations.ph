// allocations: in a 1 MiB space, how many 4 KB arrays (each held by a list node) fit before
// OutOfMemory. The answer depends on every byte the VM allocates besides them (frames, strings,
// the error object) and on when it collects, so both VMs must give the same number.
// space-bytes: 1048576
package .check;

import .internal.io.tty;

class node {
  var next : node;
  var data : int[];
};

class allocations {
  void run() {
    var head : node = null;
    var n = 0;
    try {
      while (true) {
        var x = new node();
        x.data = new int[1000];
        x.next = head;
        head = x;
        n++;
      }
    } catch (var e) {
      head = null;
      tty.println("caught after " + n);
    }
    tty.println("arrays that fit in 1 MiB: " + n);
  }
};
