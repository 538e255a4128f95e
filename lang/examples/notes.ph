// notes: keeps a list of notes in the machine's root directory under "notes". Nothing is ever
// saved: the list is an object the root directory holds, so it outlives every restart. Each run
// adds three notes and prints the whole list.
package .demo;

import .internal.io.tty;
import .internal.directory;

// A growable list of strings.
class noteList {
  var items : string[];
  var count : int;

  noteList() {
    items = new string[2];
  }

  void add(var text : string) {
    if (count == items.length)
      items = (string[]) .internal.array.resize(items, count * 2);
    items[count] = text;
    count++;
  }

  string get(var index : int) {
    return items[index];
  }

  int size() {
    return count;
  }
};

class notes {
  void run() {
    var root = directory.root();
    var list : noteList = null;
    if (root.has("notes")) {
      list = (noteList) root.get("notes");
    } else {
      list = new noteList();
      root.put("notes", list);
    }
    var first = list.size() + 1;
    for (var i = 0; i < 3; i++)
      list.add("note " + (first + i) + " written at run " + (first / 3 + 1));
    tty.println("notes: " + list.size());
    for (var i = 0; i < list.size(); i++)
      tty.println("  " + (i + 1) + ". " + list.get(i));
    tty.println("root directory has " + root.size() + " names");
  }
};
