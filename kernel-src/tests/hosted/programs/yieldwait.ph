// yieldwait: threads that wait for a sleeping thread by yielding, and by spinning, as real
// programs do. On the kernel real time passes while they wait; on a virtual clock the instructions
// they run must make time pass too, or the sleeper never wakes and the run never ends.
package .check;

import .internal.io.tty;
import .internal.time;
import .internal.thread;

class sleeper {
  var ms : int;

  sleeper(var m : int) {
    ms = m;
  }

  void run() {
    time.sleep(ms);
    tty.println("slept " + ms + " ms");
  }
};

class yieldwait {
  void run() {
    var t = thread.start(new sleeper(50));
    while (t.isAlive()) thread.yield();
    tty.println("waited by yielding until " + time.uptime());
    t = thread.start(new sleeper(20));
    var spins = 0;
    while (t.isAlive()) spins++;
    tty.println("waited by spinning until " + time.uptime() + " (" + spins + " spins)");
  }
};
