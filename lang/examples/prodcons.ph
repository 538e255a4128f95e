// prodcons: a producer and a consumer thread hand numbers over through a one-slot mailbox.
// The main thread waits for both and prints the total. Only the consumer prints while they
// run, so the output does not depend on how the scheduler interleaves the threads.
package .demo;

import .internal.io.tty;
import .internal.thread;

class mailbox {
  var full : boolean;
  var value : int;
};

class producer {
  var box : mailbox;
  var count : int;

  producer(var box : mailbox, var count : int) {
    this.box = box;
    this.count = count;
  }

  void run() {
    for (var i = 1; i <= count; i++) {
      while (box.full)
        thread.yield();
      box.value = i * i;
      box.full = true;
    }
  }
};

class consumer {
  var box : mailbox;
  var count : int;
  var total : int;

  consumer(var box : mailbox, var count : int) {
    this.box = box;
    this.count = count;
  }

  void run() {
    for (var i = 1; i <= count; i++) {
      while (!box.full)
        thread.yield();
      var v = box.value;
      box.full = false;
      total += v;
      tty.println("consumed " + v);
    }
  }
};

class prodcons {
  void run() {
    var box = new mailbox();
    var c = new consumer(box, 10);
    var consumerThread = thread.start(c);
    var producerThread = thread.start(new producer(box, 10));
    while (consumerThread.isAlive() || producerThread.isAlive())
      thread.yield();
    tty.println("total " + c.total);
  }
};
