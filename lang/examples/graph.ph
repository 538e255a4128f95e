// graph: builds a linked graph with a cycle, a self-loop and shared nodes, walks it, and leaves
// it in the root directory under "graph" for the inspector to show.
package .demo;

import .internal.io.tty;
import .internal.directory;

class node {
  var id : int;
  var edges : node[];
  var edgeCount : int;
  /** Stamp of the last walk that reached this node, so cycles end the walk. */
  var seen : int;

  node(var id : int) {
    this.id = id;
    edges = new node[1];
  }

  void link(var to : node) {
    if (edgeCount == edges.length)
      edges = (node[]) .internal.array.resize(edges, edgeCount * 2);
    edges[edgeCount] = to;
    edgeCount++;
  }
};

class graph {
  var edgesWalked : int;

  /** Sum of the ids of the nodes reachable from n that this walk has not seen yet. */
  int walk(var n : node, var stamp : int) {
    if (n.seen == stamp)
      return 0;
    n.seen = stamp;
    var sum = n.id;
    for (var i = 0; i < n.edgeCount; i++) {
      edgesWalked++;
      sum += walk(n.edges[i], stamp);
    }
    return sum;
  }

  void run() {
    var size = 8;
    var nodes = new node[size];
    for (var i = 0; i < size; i++)
      nodes[i] = new node(i + 1);
    for (var i = 0; i < size; i++)
      nodes[i].link(nodes[(i + 1) % size]);
    nodes[0].link(nodes[7]);
    nodes[4].link(nodes[7]);
    nodes[3].link(nodes[3]);
    tty.println("nodes: " + size);
    tty.println("sum from node 1: " + walk(nodes[0], 1));
    tty.println("edges walked: " + edgesWalked);
    edgesWalked = 0;
    tty.println("sum from node 6: " + walk(nodes[5], 2));
    tty.println("edges walked: " + edgesWalked);
    tty.println("node 8 is shared: " + (nodes[0].edges[1] == nodes[4].edges[1]));
    directory.root().put("graph", nodes[0]);
    tty.println("stored " + directory.root().get("graph"));
  }
};
