// dogs: arrays are covariant (a dog[] is an any[]), so every store is checked against the array's
// class: a string stored through the any[] view of a dog[] raises ArrayStore and leaves the dog[]
// as it was, and a cast to an array type checks the array's class. Before, the string went in and
// dogs[i].sound() ran string.length() on it.
package .safety;

import .internal.io.tty;

class dog {
  string sound() {
    return "woof";
  }
};

class dogs {
  void run() {
    var pack = new dog[2];
    var anys : any[] = pack;
    anys[0] = new dog();
    tty.println(pack[0].sound());
    try {
      anys[1] = "not a dog";
      tty.println("stored a string in a dog[]");
    } catch (var e : .internal.error) {
      tty.println("refused: " + e.message);
    }
    tty.println("pack[1] is " + pack[1]);
    var texts : any = new string[1];
    try {
      var wrong = (dog[]) texts;
      tty.println("a string[] cast to dog[] of length " + wrong.length);
    } catch (var e : .internal.error) {
      tty.println("cast refused: " + e.message);
    }
    anys[1] = "not a dog";
    tty.println("not reached");
  }
};
