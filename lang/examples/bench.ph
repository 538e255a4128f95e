// bench: CPU-bound work for measuring an interpreter — a sieve of Eratosthenes, recursive
// Fibonacci, and a string-building loop. Prints only results, so the output is deterministic.
package .demo;

import .internal.io.tty;

class bench {
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
      // i * i would overflow the 31-bit integers once i passes 32768.
      if (i <= limit / i)
        for (var j = i * i; j < limit; j += i)
          composite[j] = true;
    }
    return count;
  }

  int checksum(var rounds : int) {
    var h = 17;
    for (var i = 0; i < rounds; i++)
      h = (h * 31 + i) % 1000003;
    return h;
  }

  void run() {
    tty.println("primes below 100000: " + primesBelow(100000));
    tty.println("fib(24): " + fib(24));
    tty.println("checksum: " + checksum(200000));
    var s = "";
    for (var i = 0; i < 10; i++)
      s = s + i;
    tty.println("digits: " + s + " (" + s.length() + " bytes)");
  }
};
