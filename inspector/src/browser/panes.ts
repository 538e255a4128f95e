/**
 * Chained panes, as in Glamorous Toolkit's inspector: choosing a reference in one pane opens
 * the referenced object in a new pane to its right (dropping any panes beyond), so a path
 * through the graph stays visible as a row of panes. A pane shows an object (fields, string
 * text, array elements paged, referrers, path from the root, history), or a list of objects.
 * When the view moves to a newer generation (the studio follows the machine), `refresh` keeps
 * the same panes on the same objects, by address, shows their new values and marks the ones
 * that changed (object-changes.ts decides which).
 */
import type { HistoryEntry } from '../common/diff.js';
import { formatValue } from '../common/format.js';
import type { HeapSnapshot } from '../common/heap.js';
import { historySeries } from '../common/history-series.js';
import { elementKey, type ObjectChange, objectChange } from '../common/object-changes.js';
import { objectView, type ValueView } from '../common/objects.js';
import { formatRef, parseRef } from '../common/ref.js';
import { namedPathFromRoot } from '../common/retainers.js';
import { Chart } from './chart.js';
import { clear, formatBytes, h } from './dom.js';
import { retainersTree } from './retainers-view.js';
import type { LoadedGeneration } from './session.js';

/** What takes the focus in a pane: its buttons (references, toggles), summaries and the pane. */
const FOCUSABLE = 'button, summary, [tabindex]';

/** Which of the pane's focusable controls `control` is, or -1 (the pane itself). */
function controlIndex(pane: HTMLElement, control: HTMLElement): number {
  return [...pane.querySelectorAll<HTMLElement>(FOCUSABLE)].indexOf(control);
}

/** Array elements shown per page in an object pane. */
const ELEMENTS_PER_PAGE = 100;
/** Objects listed in a list pane (instances of a class, diff groups). */
const LIST_LIMIT = 500;

export interface PaneActions {
  /** Show the object's neighbourhood in the graph view. */
  graph(node: number): void;
  /** Load every kept generation and list where the object changed. */
  history(address: number): Promise<{ entries: HistoryEntry[]; lastGeneration: number | undefined }>;
  /**
   * "When did this change?" for the field or element `key` (a field's name, or `[i]`) of the
   * object at `address`; absent when the source cannot answer it (no store disk).
   */
  whenChanged?(address: number, key: string): void;
}

/** What a pane shows, independent of the generation it shows it in. */
type PaneSpec =
  | { kind: 'object'; address: number }
  | { kind: 'list'; title: string; addresses: readonly number[] };

interface OpenPane {
  spec: PaneSpec;
  loaded: LoadedGeneration;
}

export class PaneStack {
  readonly element: HTMLElement;
  private readonly open = new WeakMap<HTMLElement, OpenPane>();

  constructor(private readonly actions: PaneActions) {
    this.element = h('div', { class: 'ph-panes', 'data-testid': 'inspector-panes' });
  }

  clearAll(): void {
    clear(this.element);
  }

  /** Opens an object pane after `after` (or as the first pane). */
  openObject(loaded: LoadedGeneration, node: number, after?: HTMLElement): void {
    this.place(this.render({ kind: 'object', address: loaded.heap.addr[node]! }, loaded), after);
  }

  /** Opens a pane listing objects by reference. */
  openList(loaded: LoadedGeneration, title: string, addresses: readonly number[], after?: HTMLElement): void {
    this.place(this.render({ kind: 'list', title, addresses }, loaded), after);
  }

  /**
   * Shows every open pane again in `loaded`, in place: the same objects by address with their
   * values as of that generation, changed values marked, sections left open stay open, each pane
   * scrolled as it was.
   */
  refresh(loaded: LoadedGeneration): void {
    const { scrollLeft } = this.element;
    // The focus stays where it was (the same control of the same pane), so following the machine
    // does not take the keyboard's place away every generation.
    const focused = document.activeElement as HTMLElement | null;
    const focusedPane = this.element.contains(focused) ? focused?.closest<HTMLElement>('.ph-pane') : null;
    const focusPath = focusedPane && focused ? controlIndex(focusedPane, focused) : -1;
    for (const old of [...this.element.children] as HTMLElement[]) {
      const was = this.open.get(old);
      if (!was) continue;
      const pane = this.render(was.spec, loaded, was.loaded);
      // Sections that read every generation again (history) are left for the user to reopen.
      const openSections = [...old.querySelectorAll('details')].map((d) => d.open && !d.dataset.costly);
      pane.querySelectorAll('details').forEach((d, i) => {
        if (openSections[i] !== undefined) d.open = openSections[i];
      });
      const { scrollTop } = old;
      old.replaceWith(pane);
      // Where the user scrolled a long pane to stays in sight.
      pane.scrollTop = scrollTop;
      if (old === focusedPane) {
        const control = focusPath >= 0 ? pane.querySelectorAll<HTMLElement>(FOCUSABLE)[focusPath] : undefined;
        (control ?? pane).focus({ preventScroll: true });
      }
    }
    this.element.scrollLeft = scrollLeft;
  }

  private render(spec: PaneSpec, loaded: LoadedGeneration, previous?: LoadedGeneration): HTMLElement {
    let pane: HTMLElement;
    if (spec.kind === 'list') pane = this.listPane(loaded, spec.title, spec.addresses);
    else {
      const change = previous
        ? objectChange(previous.heap, loaded.heap, spec.address, ELEMENTS_PER_PAGE)
        : undefined;
      const node = loaded.heap.indexOf(spec.address);
      pane = node < 0 ? this.gonePane(loaded, spec.address) : this.objectPane(loaded, node, change);
    }
    this.open.set(pane, { spec, loaded });
    return pane;
  }

  private gonePane(loaded: LoadedGeneration, address: number): HTMLElement {
    const pane = this.pane(formatRef(address), 'object');
    pane.dataset.ref = formatRef(address);
    pane.append(
      h(
        'p',
        { class: 'ph-muted', 'data-testid': 'inspector-pane-gone' },
        `No object at ${formatRef(address)} in generation ${loaded.generation}: collected, or not made yet on this branch.`,
      ),
    );
    return pane;
  }

  private listPane(loaded: LoadedGeneration, title: string, addresses: readonly number[]): HTMLElement {
    const pane = this.pane(title, 'list');
    const list = h('ul', { class: 'ph-list' });
    for (const addr of addresses.slice(0, LIST_LIMIT)) {
      const node = loaded.heap.indexOf(addr);
      list.append(
        h(
          'li',
          {},
          node >= 0
            ? this.refLink(loaded, node, pane)
            : h('span', { class: 'ph-muted' }, `${formatRef(addr)} (not in generation ${loaded.generation})`),
        ),
      );
    }
    if (addresses.length > LIST_LIMIT)
      list.append(h('li', { class: 'ph-muted' }, `… ${addresses.length - LIST_LIMIT} more`));
    pane.append(list);
    return pane;
  }

  private place(pane: HTMLElement, after?: HTMLElement): void {
    // A pane opened from another (a reference chosen by keyboard or pointer) takes the focus, so
    // the keyboard walks on from where the user went.
    const fromPanes = this.element.contains(document.activeElement);
    if (after && after.parentElement === this.element) {
      while (after.nextElementSibling) after.nextElementSibling.remove();
    } else {
      this.clearAll();
    }
    this.element.append(pane);
    pane.scrollIntoView({ block: 'nearest', inline: 'end' });
    if (fromPanes) this.focusLast();
  }

  /** Focuses the last pane: its first reference, or the pane itself when it has none. */
  focusLast(): void {
    const pane = this.element.lastElementChild as HTMLElement | null;
    if (!pane) return;
    const first = pane.querySelector<HTMLElement>('.ph-fields .ph-ref, .ph-list .ph-ref');
    if (first) first.focus();
    else pane.focus();
  }

  private pane(title: string, kind: string): HTMLElement {
    const close = h('button', { class: 'ph-icon', title: 'Close', 'aria-label': 'Close pane' }, '×');
    const pane = h(
      'section',
      { class: `ph-pane ph-pane-${kind}`, 'data-testid': 'inspector-pane', tabindex: -1 },
      h('header', {}, h('span', { class: 'ph-pane-title' }, title), close),
    );
    close.addEventListener('click', () => {
      while (pane.nextElementSibling) pane.nextElementSibling.remove();
      pane.remove();
    });
    return pane;
  }

  private refLink(loaded: LoadedGeneration, node: number, from: HTMLElement): HTMLElement {
    const heap = loaded.heap;
    const text = heap.stringValue(node);
    return h(
      'button',
      {
        class: 'ph-ref',
        'data-ref': formatRef(heap.addr[node]!),
        onclick: () => this.openObject(loaded, node, from),
      },
      h('span', { class: 'ph-addr' }, formatRef(heap.addr[node]!)),
      ' ',
      h('span', { class: 'ph-class' }, heap.className(heap.classOf[node]!)),
      text !== undefined
        ? h(
            'span',
            { class: 'ph-string' },
            ` ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`,
          )
        : null,
    );
  }

  private value(loaded: LoadedGeneration, v: ValueView, from: HTMLElement): HTMLElement {
    switch (v.kind) {
      case 'int':
        return h('span', { class: 'ph-int' }, String(v.value));
      case 'null':
        return h('span', { class: 'ph-null' }, 'null');
      case 'dangling':
        return h('span', { class: 'ph-error' }, `${v.ref} (dangling)`);
      case 'ref': {
        const node = loaded.heap.indexOf(parseRef(v.ref)!);
        return this.refLink(loaded, node, from);
      }
    }
  }

  /** An object's pane; `change` (from the generation shown before) marks what changed. */
  private objectPane(loaded: LoadedGeneration, node: number, change?: ObjectChange): HTMLElement {
    const heap = loaded.heap;
    const view = objectView(heap, node, 0, ELEMENTS_PER_PAGE);
    const pane = this.pane(`${view.className}`, 'object');
    pane.dataset.ref = view.ref;
    const changed = new Set(change?.kind === 'same' ? change.changed : []);
    const row = (key: string, ...cells: HTMLElement[]) =>
      h('tr', { 'data-key': key, class: changed.has(key) ? 'ph-updated' : '' }, h('th', {}, key), ...cells);
    pane.append(
      h(
        'div',
        { class: 'ph-pane-meta' },
        h('span', { class: 'ph-addr' }, view.ref),
        ` · ${formatBytes(view.size)} · generation ${loaded.generation}`,
        changed.size > 0 ? ` · ${changed.size} changed` : '',
      ),
    );
    if (change?.kind === 'replaced')
      pane.append(
        h('p', { class: 'ph-muted' }, `A ${change.after} now; a ${change.before} was here before.`),
      );
    const fields = h('table', { class: 'ph-fields' });
    if (view.text !== undefined)
      fields.append(row('text', h('td', { class: 'ph-string' }, JSON.stringify(view.text))));
    for (const f of view.fields)
      fields.append(
        row(f.name, h('td', {}, this.value(loaded, f.value, pane)), this.whenButton(view.ref, f.name)),
      );
    if (view.bytes !== undefined)
      fields.append(h('tr', {}, h('th', {}, 'bytes'), h('td', {}, String(view.bytes))));
    pane.append(fields);
    if (view.elements) this.appendElements(loaded, node, view.elements.length, pane, changed);
    pane.append(
      this.referrers(loaded, node, pane),
      this.pathSection(loaded, node, pane),
      this.historySection(heap, node),
    );
    pane.append(
      h(
        'div',
        { class: 'ph-pane-actions' },
        h('button', { class: 'ph-button', onclick: () => this.actions.graph(node) }, 'Show in graph'),
      ),
    );
    return pane;
  }

  /** The "When did this change?" button of a field or element row (an empty cell without the action). */
  private whenButton(ref: string, key: string): HTMLElement {
    const cell = h('td', { class: 'ph-when-cell' });
    const ask = this.actions.whenChanged;
    if (!ask) return cell;
    cell.append(
      h(
        'button',
        {
          class: 'ph-icon ph-when',
          title: `When did ${key} change? (bisects the kept generations)`,
          'aria-label': `When did ${key} change?`,
          'data-testid': 'inspector-when',
          onclick: () => ask(parseRef(ref)!, key),
        },
        'When?',
      ),
    );
    return cell;
  }

  /**
   * Marks the row `key` of the open pane of the object at `address` as the answer to "when did
   * this change?", with the answer's text under the pane's header.
   */
  markWhen(address: number, key: string, text: string): void {
    const pane = [...this.element.querySelectorAll<HTMLElement>('.ph-pane')].find(
      (p) => p.dataset.ref === formatRef(address),
    );
    if (!pane) return;
    for (const old of pane.querySelectorAll('.ph-when-marked')) old.classList.remove('ph-when-marked');
    pane.querySelector('.ph-when-answer')?.remove();
    const row = [...pane.querySelectorAll<HTMLElement>('tr[data-key]')].find((r) => r.dataset.key === key);
    row?.classList.add('ph-when-marked');
    pane
      .querySelector('.ph-pane-meta')
      ?.after(h('p', { class: 'ph-when-answer', 'data-testid': 'inspector-when-answer' }, text));
    row?.scrollIntoView({ block: 'nearest' });
  }

  private appendElements(
    loaded: LoadedGeneration,
    node: number,
    length: number,
    pane: HTMLElement,
    changed: ReadonlySet<string>,
  ): void {
    const table = h('table', { class: 'ph-fields' });
    const more = h('button', { class: 'ph-button' }, 'More elements');
    let shown = 0;
    const page = () => {
      const view = objectView(loaded.heap, node, shown, ELEMENTS_PER_PAGE);
      view.elements!.values.forEach((v, i) => {
        const key = elementKey(shown + i);
        table.append(
          h(
            'tr',
            { 'data-key': key, class: changed.has(key) ? 'ph-updated' : '' },
            h('th', {}, key),
            h('td', {}, this.value(loaded, v, pane)),
            this.whenButton(formatRef(loaded.heap.addr[node]!), key),
          ),
        );
      });
      shown += view.elements!.values.length;
      more.hidden = shown >= length;
    };
    more.addEventListener('click', page);
    pane.append(
      h('h4', { class: changed.has('length') ? 'ph-updated' : '' }, `Elements (${length})`),
      table,
      more,
    );
    page();
  }

  private referrers(loaded: LoadedGeneration, node: number, pane: HTMLElement): HTMLElement {
    // Distinct holders; garbage (unreachable, not yet collected) is counted apart.
    const distance = loaded.distance();
    const holders = new Set(loaded.heap.referrers(node));
    const liveCount = [...holders].filter((r) => distance[r]! >= 0).length;
    const title = `Retainers: ${liveCount}${holders.size > liveCount ? ` (+${holders.size - liveCount} garbage)` : ''}`;
    return h(
      'details',
      { open: holders.size <= 20 },
      h('summary', {}, title),
      retainersTree(loaded, node, { refLink: (r) => this.refLink(loaded, r, pane) }),
    );
  }

  private pathSection(loaded: LoadedGeneration, node: number, pane: HTMLElement): HTMLElement {
    const details = h('details', {}, h('summary', {}, 'Path from the root'));
    let filled = false;
    details.addEventListener('toggle', () => {
      if (filled || !details.open) return;
      filled = true;
      const path = namedPathFromRoot(loaded.heap, node);
      const list = h('ol', { class: 'ph-list ph-path', 'data-testid': 'inspector-path' });
      if (!path)
        list.append(
          h('li', { class: 'ph-muted' }, 'not reachable from the root: garbage the next collection frees'),
        );
      else
        for (const step of path)
          list.append(
            h(
              'li',
              {},
              step.via === undefined ? null : h('span', { class: 'ph-via' }, `.${step.via} → `),
              this.refLink(loaded, step.node, pane),
            ),
          );
      details.append(list);
    });
    return details;
  }

  private historySection(heap: HeapSnapshot, node: number): HTMLElement {
    const details = h('details', { 'data-costly': 'true' }, h('summary', {}, 'History across generations'));
    let filled = false;
    details.addEventListener('toggle', () => {
      if (filled || !details.open) return;
      filled = true;
      const list = h(
        'ol',
        { class: 'ph-list', 'data-testid': 'inspector-history' },
        h('li', { class: 'ph-muted' }, 'loading generations…'),
      );
      details.append(list);
      this.actions
        .history(heap.addr[node]!)
        .then(({ entries, lastGeneration }) => {
          clear(list);
          for (const e of entries)
            list.append(
              h('li', {}, h('span', { class: 'ph-gen' }, `gen ${e.generation}`), ' ', historyText(e)),
            );
          const data = historySeries(entries, lastGeneration);
          if (data.series.length > 0 && data.generations.length > 1)
            details.insertBefore(this.historyChart(data), list);
        })
        .catch((err: unknown) => {
          clear(list);
          list.append(h('li', { class: 'ph-error' }, String(err)));
        });
    });
    return details;
  }

  /** The object's numbers over the generations, as steps (each value holds until it changes). */
  private historyChart(data: ReturnType<typeof historySeries>): HTMLElement {
    const chart = new Chart({
      testId: 'inspector-history-chart',
      title: `${data.series.map((s) => s.name).join(', ')} by generation`,
      x: { time: false, label: 'generation' },
      series: data.series.map((s, i) => ({
        label: s.name,
        unit: '',
        colour: HISTORY_COLOURS[i % HISTORY_COLOURS.length]!,
        side: 'left',
        style: 'steps',
      })),
      height: 150,
    });
    chart.setData([data.generations, ...data.series.map((s) => s.values)]);
    return chart.element;
  }
}

/** Colours of the history chart's lines, one per number the object holds. */
const HISTORY_COLOURS = ['#7aa2f7', '#9ece6a', '#e0af68', '#bb9af7', '#7dcfff'];

/** One version of an object as a line of text: a string's text, or its fields. */
function historyText(e: HistoryEntry): string {
  if (!e.value) return '(does not exist)';
  const reborn = e.newObject ? '(a new object at this address) ' : '';
  if (e.value.text !== undefined) return reborn + JSON.stringify(e.value.text);
  return (
    reborn + (e.value.fields.map((f) => `${f.name}=${formatValue(f.value)}`).join('  ') || e.value.className)
  );
}
