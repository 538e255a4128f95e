/**
 * Maps between offsets in a source text and the 1-based line and column numbers that
 * diagnostics, editors and the debugger show. Built once per source in O(n); each lookup is a
 * binary search, so an editor can map thousands of positions per keystroke.
 */
export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units as editors do. */
  column: number;
}

export class LineMap {
  /** Offset at which each line starts; lineStarts[0] is always 0. */
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) this.lineStarts.push(i + 1);
      else if (c === 13 /* \r */ && text.charCodeAt(i + 1) !== 10) this.lineStarts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The position of `offset`, clamped into the text. */
  positionAt(offset: number): Position {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - this.lineStarts[lo]! + 1 };
  }

  /** The offset of a position, clamped to the line's end and the text's bounds. */
  offsetAt(position: Position): number {
    const line = Math.max(1, Math.min(position.line, this.lineStarts.length));
    const start = this.lineStarts[line - 1]!;
    const end = line < this.lineStarts.length ? this.lineStarts[line]! : this.text.length;
    return Math.min(start + Math.max(0, position.column - 1), end);
  }
}
