// fragmentation: 60,000 objects made by a constructor each (1.44 MB live in a 4 MiB space), then a
// 256 KiB array. The kernel reuses the frames of returned calls, so the objects lie side by side
// and the array fits; an interpreter that leaves a frame between every two objects fragments the
// space and runs out of memory. Both VMs must print the same and leave the same heap.
// space-bytes: 4194304
package .check;

import .internal.io.tty;

class node {
  var next : node;
  var a : int;
  var b : int;

  node(var n : node, var x : int) {
    next = n;
    a = x;
    b = x + 1;
  }
};

class fragmentation {
  void run() {
    var head : node = null;
    for (var i = 0; i < 60000; i++) head = new node(head, i);
    var big = new int[65536];
    big[65535] = head.a;
    tty.println("a 256 KiB array beside 60000 nodes: " + big[65535]);
  }
};
