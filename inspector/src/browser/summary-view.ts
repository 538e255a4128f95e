/**
 * The class summary: one row per class with instance count, shallow and retained bytes and
 * unreachable instances, sortable by any column and filtered by name, like the summary view of
 * Chrome DevTools' heap snapshots, and the address of the instance retaining most (a place to
 * start from, as the CLI's summary gives). Choosing a row lists its instances; the address
 * opens that instance. Shown again for a newer
 * generation of the same machine, the counts that changed are marked.
 *
 * A view following the machine is shown again every generation, so it changes in place: a
 * class keeps its row (and the header its cells) and only what changed is written, so the row or
 * header the keyboard is on keeps the focus, and the table keeps its scroll.
 */
import type { ClassSummaryRow } from '../common/graph.js';
import { formatRef } from '../common/ref.js';
import { formatBytes, h, setAttribute, setText } from './dom.js';

type Column = 'className' | 'count' | 'shallowBytes' | 'retainedBytes' | 'unreachable';

const COLUMNS: { key: Column; label: string; numeric: boolean }[] = [
  { key: 'className', label: 'Class', numeric: false },
  { key: 'count', label: 'Count', numeric: true },
  { key: 'shallowBytes', label: 'Shallow', numeric: true },
  { key: 'retainedBytes', label: 'Retained', numeric: true },
  { key: 'unreachable', label: 'Unreachable', numeric: true },
];

export class SummaryView {
  readonly element: HTMLElement;
  private rows: ClassSummaryRow[] = [];
  /** Instance counts of the rows shown before, when the new rows are to be compared with them. */
  private previousCounts: Map<string, number> | undefined;
  private sortKey: Column = 'retainedBytes';
  private descending = true;
  private filter = '';
  private readonly body: HTMLTableSectionElement;
  private readonly head: HTMLTableRowElement;
  private readonly headCells = new Map<Column, HTMLTableCellElement>();
  /** The row shown for each class, kept while the class is shown. */
  private readonly rowElements = new Map<string, ShownRow>();

  constructor(
    private readonly onChoose: (row: ClassSummaryRow) => void,
    private readonly onOpen: (node: number) => void,
    private readonly addressOf: (node: number) => number,
  ) {
    this.head = h('tr');
    this.body = h('tbody');
    const input = h('input', {
      type: 'search',
      placeholder: 'Filter classes',
      'aria-label': 'Filter classes',
      'data-testid': 'summary-filter',
      oninput: (e: Event) => {
        this.filter = (e.target as HTMLInputElement).value.trim().toLowerCase();
        this.render();
      },
    });
    for (const col of COLUMNS) {
      const cell = h(
        'th',
        {
          class: col.numeric ? 'num' : '',
          tabindex: 0,
          onclick: () => this.sortBy(col.key),
          onkeydown: (e: Event) => {
            if ((e as KeyboardEvent).key === 'Enter') this.sortBy(col.key);
          },
        },
        col.label,
      );
      this.headCells.set(col.key, cell);
      this.head.append(cell);
    }
    this.head.append(h('th', { title: 'The instance retaining the most bytes' }, 'Largest'));
    this.element = h(
      'div',
      { class: 'ph-summary', 'data-testid': 'inspector-summary' },
      h('div', { class: 'ph-summary-tools' }, input),
      h('table', { class: 'ph-table' }, h('thead', {}, this.head), this.body),
    );
  }

  /** Shows `rows`; `markChanges` marks the counts that differ from the rows shown before. */
  show(rows: ClassSummaryRow[], markChanges = false): void {
    this.previousCounts = markChanges ? new Map(this.rows.map((r) => [r.className, r.count])) : undefined;
    this.rows = rows;
    this.render();
  }

  private render(): void {
    for (const col of COLUMNS) {
      const cell = this.headCells.get(col.key)!;
      const sorted = this.sortKey === col.key;
      setText(cell, col.label + (sorted ? (this.descending ? ' ▾' : ' ▴') : ''));
      setAttribute(cell, 'aria-sort', sorted ? (this.descending ? 'descending' : 'ascending') : 'none');
    }
    const shown = this.rows
      .filter((r) => !this.filter || r.className.toLowerCase().includes(this.filter))
      .sort((a, b) => {
        const x = a[this.sortKey];
        const y = b[this.sortKey];
        const order = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
        return this.descending ? -order : order;
      });
    const names = new Set(shown.map((r) => r.className));
    for (const [name, row] of this.rowElements)
      if (!names.has(name)) {
        row.element.remove();
        this.rowElements.delete(name);
      }
    let at: ChildNode | null = this.body.firstChild;
    for (const data of shown) {
      let row = this.rowElements.get(data.className);
      if (!row) {
        row = this.makeRow(data.className);
        this.rowElements.set(data.className, row);
      }
      row.data = data;
      const changed = this.previousCounts && this.previousCounts.get(data.className) !== data.count;
      setText(row.count, data.count.toLocaleString('en'));
      row.count.classList.toggle('ph-updated', !!changed);
      setText(row.shallow, formatBytes(data.shallowBytes));
      setText(row.retained, formatBytes(data.retainedBytes));
      setText(row.unreachable, data.unreachable ? data.unreachable.toLocaleString('en') : '');
      setText(row.largest, formatRef(this.addressOf(data.largest)));
      // Moved only when the order changed: a moved row would lose the focus.
      if (row.element === at) at = at.nextSibling;
      else this.body.insertBefore(row.element, at);
    }
  }

  /** A class's row; its handlers read the class's data as it is when they run. */
  private makeRow(className: string): ShownRow {
    const cell = () => h('td', { class: 'num' });
    const row: Omit<ShownRow, 'element' | 'largest'> = {
      data: undefined as unknown as ClassSummaryRow,
      count: cell(),
      shallow: cell(),
      retained: cell(),
      unreachable: cell(),
    };
    const largest = h('button', {
      class: 'ph-ref ph-addr',
      'data-testid': 'summary-largest',
      onclick: (e: Event) => {
        e.stopPropagation();
        this.onOpen(row.data.largest);
      },
      onkeydown: (e: Event) => e.stopPropagation(),
    });
    const element = h(
      'tr',
      {
        tabindex: 0,
        'data-class': className,
        onclick: () => this.onChoose(row.data),
        onkeydown: (e: Event) => {
          if ((e as KeyboardEvent).key === 'Enter') this.onChoose(row.data);
        },
      },
      h('td', { class: 'ph-class' }, className),
      row.count,
      row.shallow,
      row.retained,
      row.unreachable,
      h('td', {}, largest),
    );
    return Object.assign(row, { element, largest });
  }

  private sortBy(key: Column): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = key !== 'className';
    }
    this.render();
  }
}

interface ShownRow {
  data: ClassSummaryRow;
  element: HTMLTableRowElement;
  count: HTMLTableCellElement;
  shallow: HTMLTableCellElement;
  retained: HTMLTableCellElement;
  unreachable: HTMLTableCellElement;
  largest: HTMLButtonElement;
}
