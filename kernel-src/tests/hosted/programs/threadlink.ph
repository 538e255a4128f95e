// threadlink: a program cannot reach the thread list. Before, a thread stored in the array of a
// class whose fourth field sits in THREAD_NEXT's slot was made to link to itself, and the next
// thread.start walked that cycle for ever inside the kernel.
package .safety;

import .internal.io.tty;
import .internal.thread;

class fake {
  var a : any;
  var b : any;
  var c : any;
  var next : any;
};

class worker {
  void run() {
    tty.println("worker runs");
  }
};

class threadlink {
  void run() {
    var fakes = new fake[1];
    var anys : any[] = fakes;
    try {
      anys[0] = thread.current();
      fakes[0].next = fakes[0];
      tty.println("linked");
    } catch (var e : .internal.error) {
      tty.println("refused: " + e.message);
    }
    thread.start(new worker());
    tty.println("started");
  }
};
