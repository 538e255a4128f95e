// semantics: the differential test's program for what the examples do not reach — every native,
// the VM's errors caught and uncaught, arithmetic at the edges of 31 bits, deep recursion, threads
// that fail while others go on. Both interpreters must print exactly the same.
package .check;

import .internal.io.tty;
import .internal.time;
import .internal.directory;
import .internal.array;
import .internal.thread;

class oops extends .internal.error {
  oops(var m : string) {
    super(m);
  }
};

class plain {
  var n : int;
};

class failer {
  var kind : int;

  failer(var kind : int) {
    this.kind = kind;
  }

  void run() {
    time.sleep(5);
    if (kind == 0) {
      var p : plain = null;
      tty.println("never " + p.n);
    }
    if (kind == 1)
      throw new plain();
    if (kind == 2)
      throw new oops("custom");
    tty.println("failer " + kind + " done");
  }
};

class semantics {
  var depth : int;

  void recurse() {
    depth++;
    recurse();
  }

  void arithmetic() {
    var big = 1073741823;
    tty.println("wrap " + (big + 1) + " " + (0 - big - 1 - 1) + " " + (big * 3));
    tty.println("div " + (-7 / 2) + " " + (-7 % 2) + " " + (7 % -2) + " " + ((0 - big - 1) / -1));
    tty.println("shift " + (1 << 30) + " " + (-16 >> 2) + " " + (5 << 33) + " " + (~5 ^ 12) + " " + (6 & 3) + " " + (6 | 3));
    try {
      tty.println("never " + (1 / (big - big)));
    } catch (var e : .internal.error) {
      tty.println("caught " + e.message);
    }
  }

  void strings() {
    var s = "hello, world";
    tty.println("length " + s.length() + " char " + s.charAt(7) + " sub [" + s.substring(7, 12) + "]");
    tty.println("indexOf " + s.indexOf("o") + " " + s.indexOf("xyz") + " " + s.indexOf(""));
    tty.println("equals " + s.equals("hello, world") + " " + s.equals(null) + " " + s.equals("hello"));
    tty.println("compare " + "abc".compareTo("abf") + " " + "abc".compareTo("a") + " " + "b".compareTo("abc"));
    tty.println("hash " + "".hash() + " " + "a".hash() + " " + s.hash());
    tty.println("toInt " + "123".toInt() + " " + "-1073741824".toInt() + " " + string.fromChar(321) + string.fromChar(10));
    var bad = new string[4];
    bad[0] = "";
    bad[1] = "-";
    bad[2] = "12a";
    bad[3] = "1073741824";
    for (var i = 0; i < 4; i++) {
      try {
        tty.println("never " + bad[i].toInt());
      } catch (var e : .internal.error) {
        tty.println("toInt [" + bad[i] + "] " + e.message);
      }
    }
    try {
      tty.println("never " + s.charAt(12));
    } catch (var e : .internal.error) {
      tty.println("charAt " + e.message);
    }
    try {
      tty.println("never " + s.substring(5, 4));
    } catch (var e : .internal.error) {
      tty.println("substring " + e.message);
    }
    var n : string = null;
    tty.println("null " + n + " " + true + " " + (1 < 0) + " " + new plain() + " " + s.className());
  }

  void arrays() {
    var a = new int[6];
    for (var i = 0; i < 6; i++)
      a[i] = i * i;
    array.copy(a, 0, a, 2, 4);
    var line = "copy";
    for (var i = 0; i < a.length; i++)
      line = line + " " + a[i];
    tty.println(line);
    var b = (int[]) array.resize(a, 8);
    tty.println("resize " + b.length + " " + b[5] + " " + b[7] + " " + ((int[]) array.resize(a, 2)).length);
    try {
      array.copy(a, 3, a, 0, 4);
    } catch (var e : .internal.error) {
      tty.println("copy " + e.message);
    }
    try {
      var c = new int[-1];
      tty.println("never " + c.length);
    } catch (var e : .internal.error) {
      tty.println("negative " + e.message);
    }
    try {
      tty.println("never " + a[6]);
    } catch (var e : .internal.error) {
      tty.println("index " + e.message);
    }
  }

  void directories() {
    var d = directory.root();
    for (var i = 0; i < 10; i++)
      d.put("k" + i, "v" + i);
    d.put("k3", "replaced");
    tty.println("dir " + d.size() + " " + d.get("k3") + " " + d.get("none") + " " + d.has("k9") + " " + d.get(null));
    tty.println("remove " + d.remove("k0") + " " + d.remove("k0") + " " + d.remove(null) + " " + d.size());
    var keys = d.keys();
    var line = "keys";
    for (var i = 0; i < keys.length; i++)
      line = line + " " + keys[i];
    tty.println(line);
    try {
      d.put(null, "x");
    } catch (var e : .internal.error) {
      tty.println("put " + e.message);
    }
  }

  void run() {
    arithmetic();
    strings();
    arrays();
    directories();
    try {
      recurse();
    } catch (var e : .internal.error) {
      tty.println("recursion " + e.message + " at depth " + depth);
    }
    try {
      throw new oops("mine");
    } catch (var e : oops) {
      tty.println("oops " + e.message + " " + e.className());
    }
    for (var k = 0; k < 4; k++)
      thread.start(new failer(k));
    var t = thread.current();
    tty.println("me " + t.id() + " " + t.isAlive());
    try {
      thread.start(new plain());
    } catch (var e : .internal.error) {
      tty.println("start " + e.message);
    }
    time.sleep(50);
    tty.println("uptime " + time.uptime());
    var q : plain = null;
    q.n = 1;
  }
};
