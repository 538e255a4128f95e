/**
 * What changed between two generations, grouped by class (like the comparison view of Chrome
 * DevTools' heap snapshots, but between any two points of the machine's timeline). Choosing a
 * count lists those objects: added and changed ones as of the newer generation, removed ones as
 * of the older. By default only what the root reaches is compared, as `phantom inspect diff
 * --reachable` does: otherwise the garbage a program leaves between collections (a counter's
 * printed strings, one a tick) is most of every diff. A checkbox brings the garbage back.
 */
import { type ClassDiff, diffHeaps, type HeapDiff } from '../common/diff.js';
import { parseRef } from '../common/ref.js';
import { clear, h } from './dom.js';
import type { LoadedGeneration } from './session.js';

export class DiffView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly reachableOnly: HTMLInputElement;
  private shown: { before: LoadedGeneration; after: LoadedGeneration } | undefined;

  constructor(
    private readonly openList: (loaded: LoadedGeneration, title: string, addresses: number[]) => void,
  ) {
    this.reachableOnly = h('input', {
      type: 'checkbox',
      checked: true,
      'data-testid': 'diff-reachable-only',
      onchange: () => {
        if (this.shown) this.show(this.shown.before, this.shown.after);
      },
    });
    this.body = h('div');
    this.element = h(
      'div',
      { class: 'ph-diff', 'data-testid': 'inspector-diff' },
      h(
        'label',
        {
          class: 'ph-diff-tools',
          title:
            'Compare only the objects the root reaches in each generation (phantom inspect diff --reachable)',
        },
        this.reachableOnly,
        ' Reachable only: leave out garbage the collector has not freed yet',
      ),
      this.body,
    );
  }

  showPrompt(): void {
    this.shown = undefined;
    clear(this.body);
    this.body.append(h('p', { class: 'ph-muted' }, 'Choose a generation to compare with in the toolbar.'));
  }

  show(before: LoadedGeneration, after: LoadedGeneration): HeapDiff {
    this.shown = { before, after };
    const reachable = this.reachableOnly.checked;
    const diff = diffHeaps(before.heap, after.heap, reachable ? { reachableFrom: 'root' } : {});
    clear(this.body);
    this.body.append(
      h(
        'p',
        { class: 'ph-diff-total', 'data-testid': 'diff-total' },
        `Generation ${before.generation} → ${after.generation}${reachable ? ' (reachable)' : ' (garbage included)'}: `,
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
    this.body.append(
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
