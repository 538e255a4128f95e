/**
 * Threads and their frames: each thread's state, and its frames innermost first with the method,
 * the source line and pc, and the locals (references open in the panes).
 */
import { formatValue } from '../common/format.js';
import { threads } from '../common/objects.js';
import { parseRef } from '../common/ref.js';
import { clear, h } from './dom.js';
import type { LoadedGeneration } from './session.js';

export class ThreadsView {
  readonly element: HTMLElement;

  constructor(private readonly openRef: (loaded: LoadedGeneration, address: number) => void) {
    this.element = h('div', { class: 'ph-threads', 'data-testid': 'inspector-threads' });
  }

  show(loaded: LoadedGeneration): void {
    clear(this.element);
    const list = threads(loaded.heap);
    if (list.length === 0) this.element.append(h('p', { class: 'ph-muted' }, 'No threads.'));
    for (const t of list) {
      const frames = h('ol', { class: 'ph-frames' });
      for (const f of t.frames) {
        const locals = h('span', { class: 'ph-locals' });
        f.locals.forEach((v, i) => {
          if (i > 0) locals.append(', ');
          if (v.kind === 'ref') {
            locals.append(
              h(
                'button',
                {
                  class: 'ph-ref',
                  'data-ref': v.ref,
                  onclick: () => this.openRef(loaded, parseRef(v.ref)!),
                },
                formatValue(v),
              ),
            );
          } else locals.append(formatValue(v));
        });
        frames.append(
          h(
            'li',
            { 'data-testid': 'inspector-frame' },
            h('span', { class: 'ph-method' }, f.method),
            h('span', { class: 'ph-muted' }, f.line !== undefined ? ` line ${f.line}` : '', ` pc ${f.pc}`),
            f.locals.length ? h('div', { class: 'ph-locals-row' }, 'locals: ', locals) : null,
          ),
        );
      }
      this.element.append(
        h(
          'section',
          { class: `ph-thread ph-thread-${t.state}`, 'data-testid': 'inspector-thread' },
          h(
            'header',
            {},
            h('span', { class: 'ph-thread-name' }, `Thread ${t.id}`),
            h('span', { class: 'ph-badge' }, t.state),
            t.wakeAt !== undefined ? h('span', { class: 'ph-muted' }, ` wakes at ${t.wakeAt} ms`) : null,
            t.error ? h('span', { class: 'ph-error' }, ` ${formatValue(t.error)}`) : null,
          ),
          frames,
        ),
      );
    }
  }
}
