/**
 * Turns: tasks that share one resource run one after another, in the order they asked. A
 * machine's debug channel is the case in point (node/machine-channel.ts): the kernel answers in
 * order, so a snapshot asked for while a "now" read has page requests in flight would wait
 * behind them with its own deadline running; waiting here, before sending, costs no deadline.
 * A task that fails ends only its own turn.
 */
export class Turns {
  /** Settles when the last task taken so far has finished. */
  private last: Promise<void> = Promise.resolve();

  /** Runs `use` once every task taken before it has finished. */
  async take<T>(use: () => Promise<T>): Promise<T> {
    const earlier = this.last;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    this.last = earlier.then(() => done);
    await earlier;
    try {
      return await use();
    } finally {
      finished();
    }
  }
}
