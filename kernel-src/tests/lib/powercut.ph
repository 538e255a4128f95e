// powercut: the program the power-cut harness (tests/powercut.mjs) kills and restores. Three
// workers each grow a persistent chain of links; link i holds i and the running sum 1 + ... + i
// (mod 1000003). A checker thread walks every chain again and again and prints "check ok N" per
// pass, or "BROKEN ..." with what it found. A worker prints "w<id> <count>" after each link.
// Nothing is ever saved: the chains are objects, so a restored machine carries on from them.
package .test;

import .internal.io.tty;
import .internal.thread;
import .internal.time;

class link {
  var index : int;
  var sum : int;
  var next : link;
};

class worker {
  var id : int;
  var head : link;
  var count : int;

  worker(var id : int) {
    this.id = id;
  }

  void run() {
    while (true) {
      var added = new link();
      added.index = count + 1;
      var before = 0;
      if (head != null)
        before = head.sum;
      added.sum = (before + added.index) % 1000003;
      added.next = head;
      head = added;
      count++;
      tty.println("w" + id + " " + count);
      time.sleep(20);
    }
  }

  // Empty when the chain is sound; what is wrong otherwise. The count may trail the head by one
  // (the checker can run between the two writes of run()).
  string problem() {
    var expect = count;
    var at = head;
    if (at != null && at.index == count + 1)
      expect = count + 1;
    var sums = new int[0];
    while (at != null) {
      if (at.index != expect)
        return "w" + id + " link " + at.index + " where " + expect + " belongs";
      var below = 0;
      if (at.next != null)
        below = at.next.sum;
      if (at.sum != (below + at.index) % 1000003)
        return "w" + id + " link " + at.index + " has sum " + at.sum;
      expect--;
      at = at.next;
    }
    if (expect != 0)
      return "w" + id + " chain ends " + expect + " links early";
    return "";
  }
};

class checker {
  var workers : worker[];
  var passes : int;

  checker(var workers : worker[]) {
    this.workers = workers;
  }

  void run() {
    while (true) {
      for (var i = 0; i < workers.length; i++) {
        var p = workers[i].problem();
        if (p.length() > 0)
          tty.println("BROKEN " + p);
      }
      passes++;
      tty.println("check ok " + passes);
      time.sleep(100);
    }
  }
};

class powercut {
  void run() {
    var workers = new worker[3];
    for (var i = 0; i < workers.length; i++) {
      workers[i] = new worker(i + 1);
      thread.start(workers[i]);
    }
    thread.start(new checker(workers));
  }
};
