// intview: array.copy checks what it copies against the destination's class, so references
// cannot be read as integers (an int[] holds only integers; an int[] is no any[]). Before, copying
// an any[] into an int[] handed the program object addresses.
package .safety;

import .internal.io.tty;
import .internal.array;

class intview {
  void run() {
    var refs = new any[2];
    refs[0] = "x";
    var ints = new int[2];
    ints[1] = 5;
    try {
      array.copy(refs, 0, ints, 0, 2);
      tty.println("copied");
    } catch (var e : .internal.error) {
      tty.println("refused: " + e.message);
    }
    tty.println("ints are " + ints[0] + " " + ints[1]);
    var more = new int[2];
    array.copy(ints, 0, more, 0, 2);
    tty.println("ints copy into ints: " + more[1]);
    array.copy(refs, 0, ints, 0, 1);
    tty.println("not reached");
  }
};
