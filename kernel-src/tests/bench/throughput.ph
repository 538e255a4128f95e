// throughput: the snapshot benchmark's CPU-bound program (tests/bench/snapshot.mjs) — long enough
// (about 10-20 s under QEMU TCG) for many 1 s snapshot intervals. Every round does interpreter work
// (a sieve, recursive Fibonacci, a hash loop) and churns a persistent table of records: it
// replaces a share of them with new objects (the old ones become garbage for the collector) and
// rewrites the values of others spread over the table, so every interval leaves pages dirty for
// the snapshot to write. Prints "round N" every 10 rounds and "done" with checksums of the work
// and of the table, which are the same with snapshots on or off, after "machine time N ms": the
// machine time the rounds took (under QEMU -icount, a count of the guest's instructions and waits).
package .bench;

import .internal.io.tty;
import .internal.time;

class record {
  var key : int;
  var value : int;
  var payload : int[];

  record(var key : int, var value : int) {
    this.key = key;
    this.value = value;
    payload = new int[16];
    for (var i = 0; i < 16; i++)
      payload[i] = value + i;
  }
};

class throughput {
  var table : record[];

  int fib(var n : int) {
    if (n < 2)
      return n;
    return fib(n - 1) + fib(n - 2);
  }

  int primesBelow(var limit : int) {
    var composite = new boolean[limit];
    var count = 0;
    for (var i = 2; i < limit; i++) {
      if (composite[i])
        continue;
      count++;
      if (i <= limit / i)
        for (var j = i * i; j < limit; j += i)
          composite[j] = true;
    }
    return count;
  }

  int hash(var seed : int, var rounds : int) {
    var h = seed;
    for (var i = 0; i < rounds; i++)
      h = (h * 31 + i) % 1000003;
    return h;
  }

  // Replaces 256 records with new ones and rewrites 1024 others, spread over the table by a stride.
  void churn(var round : int) {
    for (var i = 0; i < 256; i++) {
      var at = (round * 256 + i) % table.length;
      table[at] = new record(at, round + i);
    }
    for (var i = 0; i < 1024; i++) {
      var r = table[(round * 7 + i * 61) % table.length];
      r.value = (r.value * 17 + round) % 1000003;
      r.payload[i % 16] = r.value;
    }
  }

  int tableSum() {
    var sum = 0;
    for (var i = 0; i < table.length; i++)
      sum = (sum + table[i].value + table[i].payload[i % 16]) % 1000003;
    return sum;
  }

  void run() {
    table = new record[8192];
    for (var i = 0; i < table.length; i++)
      table[i] = new record(i, i);
    var work = 0;
    var started = time.uptime();
    for (var round = 1; round <= 120; round++) {
      work = (work + primesBelow(20000) + fib(17) + hash(round, 20000)) % 1000003;
      churn(round);
      if (round % 10 == 0)
        tty.println("round " + round);
    }
    var took = time.uptime() - started;
    tty.println("machine time " + took + " ms");
    tty.println("done: work " + work + ", table " + tableSum());
  }
};
