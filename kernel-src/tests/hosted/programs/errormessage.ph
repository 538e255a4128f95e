// errormessage: fields of system classes are read-only to programs. A program class with a field
// in the same slot cannot stand in for an error any more (the store of the error into its array
// is refused), so an error's message stays what its constructor set. Before, it was rewritten.
package .safety;

import .internal.io.tty;

class fake {
  var message : string;
};

class errormessage {
  void run() {
    var e = new .internal.error("original");
    var fakes = new fake[1];
    var anys : any[] = fakes;
    try {
      anys[0] = e;
      fakes[0].message = "changed";
    } catch (var x : .internal.error) {
      tty.println("refused: " + x.message);
    }
    tty.println("message: " + e.message);
  }
};
