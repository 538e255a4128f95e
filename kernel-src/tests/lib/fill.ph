// fill: the program of tests/memory.test.mjs. It allocates 64 KiB blocks, each with one word per
// page set, until the object space is full (OutOfMemory, caught); then drops one block (room for
// the report) and checks every word of every block it kept. In a space larger than the machine's
// memory most of those pages are dirty when memory runs out, so the pager must write them out
// and read them back; a page that comes back wrong shows in the count.
package .big;

import .internal.io.tty;

class block {
  var data : int[];
  var next : block;
};

class fill {
  void run() {
    var head : block = null;
    var n = 0;
    try {
      while (true) {
        var b = new block();
        b.data = new int[16384];
        for (var i = 0; i < 16384; i += 1024) b.data[i] = n * 16 + i / 1024 + 1;
        b.next = head;
        head = b;
        n++;
        if (n % 1024 == 0) tty.println("filled " + n / 16 + " MiB");
      }
    } catch (var e : .internal.error) {
      head = head.next;
      n--;
      tty.println("full after " + n + " blocks: " + e.message);
    }
    var wrong = 0;
    var k = n - 1;
    for (var b = head; b != null; b = b.next) {
      for (var i = 0; i < 16384; i += 1024) {
        if (b.data[i] != k * 16 + i / 1024 + 1) wrong++;
      }
      k--;
    }
    tty.println("checked " + n + " blocks, " + wrong + " wrong");
  }
};
