// oomhandler: a space filled with small objects until OutOfMemory, at several sizes. Whether the
// handler runs depends on whether the VM can still allocate the error object when memory runs out
// (when it cannot, no handler runs and the thread ends): both VMs must decide the same each time.
// space-bytes: 1048576
package .check;

import .internal.io.tty;
import .internal.thread;

class node {
  var next : node;
  var data : int[];
};

class filler {
  var size : int;

  filler(var s : int) {
    size = s;
  }

  void run() {
    var head : node = null;
    var n = 0;
    try {
      while (true) {
        var x = new node();
        x.data = new int[size];
        x.next = head;
        head = x;
        n++;
      }
    } catch (var e) {
      head = null;
      tty.println("size " + size + ": the handler ran after " + n);
    }
  }
};

class oomhandler {
  void run() {
    var sizes = new int[6];
    sizes[0] = 0;
    sizes[1] = 2;
    sizes[2] = 13;
    sizes[3] = 21;
    sizes[4] = 100;
    sizes[5] = 1000;
    for (var i = 0; i < sizes.length; i++) {
      var t = thread.start(new filler(sizes[i]));
      while (t.isAlive()) thread.yield();
      tty.println("size " + sizes[i] + ": thread done");
    }
  }
};
