/**
 * Threads and their frames: each thread's state, and its frames innermost first with the method,
 * the source line and pc, and the locals (references open in the panes).
 *
 * A view following the machine is shown again every generation, so it changes in place: a thread
 * keeps its section, its header is written where it changed, and its frames are drawn again only
 * when they changed, the focus staying on the same reference of the same thread.
 */
import { formatValue } from '../common/format.js';
import { type ThreadView, threads } from '../common/objects.js';
import { parseRef } from '../common/ref.js';
import { h, setAttribute, setText } from './dom.js';
import type { LoadedGeneration } from './session.js';

interface ShownThread {
  section: HTMLElement;
  state: HTMLElement;
  wake: HTMLElement;
  error: HTMLElement;
  frames: HTMLElement;
  /** What the frames show, as text: they are drawn again only when it changes. */
  framesShown: string;
}

export class ThreadsView {
  readonly element: HTMLElement;
  private readonly none = h('p', { class: 'ph-muted' }, 'No threads.');
  /** The section shown for each thread, by its object's address. */
  private readonly shown = new Map<string, ShownThread>();
  /** The generation shown: a reference opens in it, whenever its frame was drawn. */
  private loaded: LoadedGeneration | undefined;

  constructor(private readonly openRef: (loaded: LoadedGeneration, address: number) => void) {
    this.element = h('div', { class: 'ph-threads', 'data-testid': 'inspector-threads' });
  }

  show(loaded: LoadedGeneration): void {
    this.loaded = loaded;
    const list = threads(loaded.heap);
    const refs = new Set(list.map((t) => t.ref));
    for (const [ref, thread] of this.shown)
      if (!refs.has(ref)) {
        thread.section.remove();
        this.shown.delete(ref);
      }
    if (list.length === 0) {
      if (this.none.parentNode !== this.element) this.element.append(this.none);
    } else this.none.remove();
    let at: ChildNode | null = this.element.firstChild;
    for (const t of list) {
      let thread = this.shown.get(t.ref);
      if (!thread) {
        thread = this.section(t);
        this.shown.set(t.ref, thread);
      }
      this.update(thread, t);
      if (thread.section === at) at = at.nextSibling;
      else this.element.insertBefore(thread.section, at);
    }
  }

  private section(t: ThreadView): ShownThread {
    const state = h('span', { class: 'ph-badge' });
    const wake = h('span', { class: 'ph-muted' });
    const error = h('span', { class: 'ph-error' });
    const frames = h('ol', { class: 'ph-frames' });
    const section = h(
      'section',
      { 'data-testid': 'inspector-thread' },
      h('header', {}, h('span', { class: 'ph-thread-name' }, `Thread ${t.id}`), state, wake, error),
      frames,
    );
    return { section, state, wake, error, frames, framesShown: '' };
  }

  private update(thread: ShownThread, t: ThreadView): void {
    setAttribute(thread.section, 'class', `ph-thread ph-thread-${t.state}`);
    setText(thread.state, t.state);
    setText(thread.wake, t.wakeAt !== undefined ? ` wakes at ${t.wakeAt} ms` : '');
    setText(thread.error, t.error ? ` ${formatValue(t.error)}` : '');
    const framesShown = JSON.stringify(t.frames);
    if (framesShown === thread.framesShown) return;
    thread.framesShown = framesShown;
    // The reference the keyboard is on, by its place among the thread's references.
    const refs = () => [...thread.frames.querySelectorAll<HTMLElement>('.ph-ref')];
    const focusedAt = refs().indexOf(document.activeElement as HTMLElement);
    thread.frames.replaceChildren(...t.frames.map((f) => this.frame(f)));
    if (focusedAt >= 0) (refs()[focusedAt] ?? refs().at(-1))?.focus({ preventScroll: true });
  }

  private frame(f: ThreadView['frames'][number]): HTMLElement {
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
              onclick: () => this.loaded && this.openRef(this.loaded, parseRef(v.ref)!),
            },
            formatValue(v),
          ),
        );
      } else locals.append(formatValue(v));
    });
    return h(
      'li',
      { 'data-testid': 'inspector-frame' },
      h('span', { class: 'ph-method' }, f.method),
      h('span', { class: 'ph-muted' }, f.line !== undefined ? ` line ${f.line}` : '', ` pc ${f.pc}`),
      f.locals.length ? h('div', { class: 'ph-locals-row' }, 'locals: ', locals) : null,
    );
  }
}
