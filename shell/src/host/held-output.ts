/**
 * The output side of a stream source that speaks in messages (the language server, the debug
 * adapter): passed on as it comes, or held while the stream hub has paused it for flow control or
 * before anyone listens, then passed on in one piece.
 */
export class HeldOutput {
  private paused = false;
  private held: string[] = [];
  private listener: ((text: string) => void) | undefined;

  onData(listener: (text: string) => void): void {
    this.listener = listener;
    this.flush();
  }

  push(text: string): void {
    if (this.paused || this.listener === undefined) this.held.push(text);
    else this.listener(text);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.flush();
  }

  /** Passes on what is held, unless paused or nobody listens yet. */
  flush(): void {
    if (this.paused || this.listener === undefined || this.held.length === 0) return;
    const text = this.held.join('');
    this.held = [];
    this.listener(text);
  }
}
