/**
 * The class summary: one row per class with instance count, shallow and retained bytes and
 * unreachable instances, sortable by any column and filtered by name, like the summary view of
 * Chrome DevTools' heap snapshots, and the address of the instance retaining most (a place to
 * start from, as the CLI's summary gives). Choosing a row lists its instances; the address
 * opens that instance. Shown again for a newer
 * generation of the same machine, the counts that changed are marked.
 */
import type { ClassSummaryRow } from '../common/graph.js';
import { formatRef } from '../common/ref.js';
import { clear, formatBytes, h } from './dom.js';

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
    clear(this.head);
    for (const col of COLUMNS) {
      const arrow = this.sortKey === col.key ? (this.descending ? ' ▾' : ' ▴') : '';
      this.head.append(
        h(
          'th',
          {
            class: col.numeric ? 'num' : '',
            tabindex: 0,
            'aria-sort': this.sortKey === col.key ? (this.descending ? 'descending' : 'ascending') : 'none',
            onclick: () => this.sortBy(col.key),
            onkeydown: (e: Event) => {
              if ((e as KeyboardEvent).key === 'Enter') this.sortBy(col.key);
            },
          },
          col.label + arrow,
        ),
      );
    }
    this.head.append(h('th', { title: 'The instance retaining the most bytes' }, 'Largest'));
    const shown = this.rows
      .filter((r) => !this.filter || r.className.toLowerCase().includes(this.filter))
      .sort((a, b) => {
        const x = a[this.sortKey];
        const y = b[this.sortKey];
        const order = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
        return this.descending ? -order : order;
      });
    clear(this.body);
    for (const row of shown) {
      this.body.append(
        h(
          'tr',
          {
            tabindex: 0,
            'data-class': row.className,
            onclick: () => this.onChoose(row),
            onkeydown: (e: Event) => {
              if ((e as KeyboardEvent).key === 'Enter') this.onChoose(row);
            },
          },
          h('td', { class: 'ph-class' }, row.className),
          h(
            'td',
            {
              class:
                this.previousCounts && this.previousCounts.get(row.className) !== row.count
                  ? 'num ph-updated'
                  : 'num',
            },
            row.count.toLocaleString('en'),
          ),
          h('td', { class: 'num' }, formatBytes(row.shallowBytes)),
          h('td', { class: 'num' }, formatBytes(row.retainedBytes)),
          h('td', { class: 'num' }, row.unreachable ? row.unreachable.toLocaleString('en') : ''),
          h(
            'td',
            {},
            h(
              'button',
              {
                class: 'ph-ref ph-addr',
                'data-testid': 'summary-largest',
                onclick: (e: Event) => {
                  e.stopPropagation();
                  this.onOpen(row.largest);
                },
                onkeydown: (e: Event) => e.stopPropagation(),
              },
              formatRef(this.addressOf(row.largest)),
            ),
          ),
        ),
      );
    }
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
