/**
 * What changed between two generations, grouped by class (like the comparison view of Chrome
 * DevTools' heap snapshots, but between any two points of the machine's timeline). Choosing a
 * count lists those objects: added and changed ones as of the newer generation, removed ones as
 * of the older.
 */
import { type ClassDiff, diffHeaps, type HeapDiff } from '../common/diff.js';
import { parseRef } from '../common/ref.js';
import { clear, h } from './dom.js';
import type { LoadedGeneration } from './session.js';

export class DiffView {
  readonly element: HTMLElement;

  constructor(
    private readonly openList: (loaded: LoadedGeneration, title: string, addresses: number[]) => void,
  ) {
    this.element = h('div', { class: 'ph-diff', 'data-testid': 'inspector-diff' });
  }

  showPrompt(): void {
    clear(this.element);
    this.element.append(h('p', { class: 'ph-muted' }, 'Choose a generation to compare with in the toolbar.'));
  }

  show(before: LoadedGeneration, after: LoadedGeneration): HeapDiff {
    const diff = diffHeaps(before.heap, after.heap);
    clear(this.element);
    this.element.append(
      h(
        'p',
        { class: 'ph-diff-total', 'data-testid': 'diff-total' },
        `Generation ${before.generation} → ${after.generation}: `,
        h('span', { class: 'ph-added' }, `+${diff.added}`),
        ' added, ',
        h('span', { class: 'ph-removed' }, `−${diff.removed}`),
        ' removed, ',
        h('span', { class: 'ph-changed' }, `~${diff.changed}`),
        ' changed',
      ),
    );
    const body = h('tbody');
    const cell = (row: ClassDiff, kind: 'added' | 'removed' | 'changed', loaded: LoadedGeneration) => {
      const refs = row[kind];
      if (refs.length === 0) return h('td', { class: 'num ph-muted' }, '0');
      return h(
        'td',
        { class: 'num' },
        h(
          'button',
          {
            class: `ph-link ph-${kind}`,
            'data-kind': kind,
            onclick: () =>
              this.openList(
                loaded,
                `${kind}: ${row.className}`,
                refs.map((r) => parseRef(r)!),
              ),
          },
          String(refs.length),
        ),
      );
    };
    for (const row of diff.byClass) {
      body.append(
        h(
          'tr',
          { 'data-class': row.className },
          h('td', { class: 'ph-class' }, row.className),
          cell(row, 'added', after),
          cell(row, 'removed', before),
          cell(row, 'changed', after),
          h('td', { class: 'num' }, `${row.bytesDelta >= 0 ? '+' : ''}${row.bytesDelta}`),
        ),
      );
    }
    this.element.append(
      h(
        'table',
        { class: 'ph-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Class'),
            h('th', { class: 'num' }, 'Added'),
            h('th', { class: 'num' }, 'Removed'),
            h('th', { class: 'num' }, 'Changed'),
            h('th', { class: 'num' }, 'Bytes'),
          ),
        ),
        body,
      ),
    );
    return diff;
  }
}
