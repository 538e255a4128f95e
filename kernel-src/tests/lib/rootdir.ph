// rootdir: what a program sees of the root directory before and after the debugger has made its
// `$debugger` entry there (tests/debugger.test.mjs sets a breakpoint on never() while it sleeps):
// the same both times, and the name is reserved (put raises BadArgument, ending the thread).
package .test;

import .internal.io.tty;
import .internal.time;
import .internal.directory;

class rootdir {
  void run() {
    directory.root().put("mine", "kept");
    this.show("before");
    time.sleep(3000);
    this.show("after");
    directory.root().put("$debugger", "mine now");
    tty.println("put it");
  }

  void show(var when : string) {
    var root = directory.root();
    var keys = root.keys();
    tty.println(when + ": size " + root.size() + ", keys " + keys.length + ", first " + keys[0]
      + ", has " + root.has("$debugger") + ", get null " + (root.get("$debugger") == null)
      + ", remove " + root.remove("$debugger"));
  }

  void never() {
    tty.println("never");
  }
};
