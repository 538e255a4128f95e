/**
 * The inspector as one mountable component: a toolbar (generation, compare-with, search), tabs
 * for the class summary, threads, diff and graph on the left, and the chain of object panes on
 * the right. The studio's renderer mounts it in its inspector panel and feeds it a source of
 * generation spaces; the views never talk to the host themselves. A view that follows the
 * machine (`follow`) moves to each newer generation in place: the status line, summary and
 * threads show it, and the open panes stay on their objects with the new values marked.
 */
import { objectHistory } from '../common/diff.js';
import { findByField, instancesOf } from '../common/graph.js';
import { formatRef, parseRef } from '../common/ref.js';
import { formatWhenValue, type WhenValue } from '../common/when.js';
import { CollectorView } from './collector-view.js';
import { DiffView } from './diff-view.js';
import { clear, h, setOptions } from './dom.js';
import { GraphView } from './graph-view.js';
import { PaneStack } from './panes.js';
import { InspectorSession, type InspectorSource, type LoadedGeneration } from './session.js';
import { SummaryView } from './summary-view.js';
import { ThreadsView } from './threads-view.js';

export type { InspectorSource } from './session.js';

export interface InspectorOptions extends InspectorSource {
  /** Errors from loading or reading a generation; the view stays usable. */
  onError(err: unknown): void;
  /** The user chose a generation in the toolbar (a view that follows the machine stops). */
  onPick?(generation: number): void;
  /**
   * "When did this change?" for the object at `address`, field or element `key` (a field's name
   * or `[i]`), answered from the committed generations; absent: the panes offer no such button.
   */
  whenChanged?(address: number, key: string): Promise<WhenAnswerView>;
}

/** What the views need of an answer to "when did this change?" (common/when.ts's WhenAnswer). */
export interface WhenAnswerView {
  change?: { before: number; after: number; from: WhenValue; to: WhenValue };
  note?: string;
  generations: number;
  probes: number;
  reads: { pages: number };
}

export interface InspectorHandle {
  /** Show generation n (default: the newest), closing the panes. */
  showGeneration(n?: number): Promise<void>;
  /**
   * Move to generation n in place, as a view following the machine does: open panes stay on
   * their objects and mark what changed. Calls made while one is loading collapse into the
   * newest, so a slow view skips generations rather than falling behind.
   */
  follow(n: number): Promise<void>;
  /** Open the object at this address in the current generation. */
  showObject(address: number): Promise<void>;
  /** Compare generation a with b: the diff tab, "Compare with" a, and b shown everywhere else. */
  compare(a: number, b: number): Promise<void>;
  /**
   * Stop moving with the machine (the panel's Follow is off): a follow still loading is dropped,
   * and the status line no longer says "(following)" — with `why`, it says why instead.
   */
  pin(why?: string): void;
  /** The generation shown, once one is. */
  readonly generation: number | undefined;
  readonly graph: GraphView;
  dispose(): void;
}

type Tab = 'summary' | 'threads' | 'diff' | 'graph' | 'memory';

/** How long typing in the search box must pause before it searches (Enter searches at once). */
const SEARCH_DELAY_MS = 250;

/** A view of the running machine says its age from this many seconds: younger is as good as live. */
const AGE_SHOWN_FROM_S = 2;

export function mountInspector(container: HTMLElement, options: InspectorOptions): InspectorHandle {
  const session = new InspectorSession(options);
  let current: LoadedGeneration | undefined;
  const panes = new PaneStack({
    ...(options.whenChanged
      ? { whenChanged: (address: number, key: string) => void answerWhen(address, key) }
      : {}),
    graph: (node) => {
      if (!current) return;
      graph.show(current.heap, node);
      select('graph');
    },
    history: async (address) => {
      // Reading every generation takes a while, and the next one followed would close the list.
      if (current) {
        pin("reading an object's history");
        options.onPick?.(current.generation);
      }
      const gens = await session.generations();
      const loaded = [];
      for (const g of gens) {
        try {
          loaded.push(await session.load(g.generation));
        } catch (err) {
          // Retention may reclaim an old generation while the others are read: leave it out.
          if (await isKept(g.generation)) throw err;
        }
      }
      return {
        entries: objectHistory(
          address,
          loaded.map((l) => ({ generation: l.generation, heap: l.heap })),
        ),
        lastGeneration: gens.at(-1)?.generation,
      };
    },
  });
  const summary = new SummaryView(
    (row) => {
      if (!current) return;
      panes.openList(
        current,
        `${row.className} (${row.count})`,
        instancesOf(current.heap, row.className).map((n) => current!.heap.addr[n]!),
      );
    },
    (node) => {
      if (current) panes.openObject(current, node);
    },
    (node) => current?.heap.addr[node] ?? 0,
  );
  const threadsView = new ThreadsView((loaded, address) => {
    const node = loaded.heap.indexOf(address);
    if (node >= 0) panes.openObject(loaded, node);
  });
  const diffView = new DiffView((loaded, title, addresses) => panes.openList(loaded, title, addresses));
  const collector = new CollectorView({
    generations: () => session.generations(),
    load: (generation) => session.load(generation),
    onError: options.onError,
  });
  const graph = new GraphView({
    onOpen: (node) => {
      if (current) panes.openObject(current, node);
    },
    onError: options.onError,
  });

  const generationSelect = h('select', { 'aria-label': 'Generation', 'data-testid': 'inspector-generation' });
  const compareSelect = h('select', { 'aria-label': 'Compare with', 'data-testid': 'inspector-compare' });
  const search = h('input', {
    type: 'search',
    placeholder: 'Search as you type: @0x…, a class, or field=value',
    'aria-label': 'Search objects',
    'data-testid': 'inspector-search',
  });
  const status = h('span', { class: 'ph-status', 'data-testid': 'inspector-status' }, 'No generation loaded');
  const tabButtons = new Map<Tab, HTMLButtonElement>();
  const tabBodies: Record<Tab, HTMLElement> = {
    summary: summary.element,
    threads: threadsView.element,
    diff: diffView.element,
    graph: graph.element,
    memory: collector.element,
  };
  const main = h('div', { class: 'ph-main' });
  const tabs = h('div', { class: 'ph-tabs', role: 'tablist' });
  for (const tab of ['summary', 'threads', 'diff', 'graph', 'memory'] as Tab[]) {
    const button = h(
      'button',
      { class: 'ph-tab', role: 'tab', 'data-testid': `inspector-tab-${tab}`, onclick: () => select(tab) },
      tab[0]!.toUpperCase() + tab.slice(1),
    );
    tabButtons.set(tab, button);
    tabs.append(button);
  }
  const root = h(
    'div',
    { class: 'ph-inspector', 'data-testid': 'inspector' },
    h(
      'div',
      { class: 'ph-toolbar' },
      h('label', {}, 'Generation ', generationSelect),
      h('label', {}, 'Compare with ', compareSelect),
      search,
      status,
    ),
    h('div', { class: 'ph-body' }, h('div', { class: 'ph-left' }, tabs, main), panes.element),
  );
  container.append(root);

  function select(tab: Tab): void {
    for (const [t, b] of tabButtons) {
      b.classList.toggle('active', t === tab);
      b.setAttribute('aria-selected', String(t === tab));
    }
    clear(main);
    main.append(tabBodies[tab]);
    if (tab === 'diff' && !compareSelect.value) diffView.showPrompt();
  }

  /**
   * Reads the kept generations into both lists. In place: called for every generation followed,
   * it adds and removes only the options that changed, so a list the user has open or is moving
   * through by keys is not emptied under them (at 10 ms, up to 255 kept generations each time).
   */
  async function refreshGenerations(): Promise<void> {
    const gens = await session.generations();
    const options = [...gens]
      .reverse()
      .map((g): [string, string] => [
        String(g.generation),
        `gen ${g.generation}${g.parent !== null && g.parent !== g.generation - 1 ? ` (from ${g.parent})` : ''}`,
      ]);
    setOptions(generationSelect, options);
    setOptions(compareSelect, [['', '—'], ...options]);
  }

  /** The status line without its age, and when the view's moment was (for views of the running machine). */
  let statusText = '';
  let viewMoment: number | undefined;
  /** Why the view stopped following, while it says so. */
  let pinnedBecause: string | undefined;

  function statusOf(loaded: LoadedGeneration, following: boolean): string {
    const when = loaded.live
      ? `Now (after generation ${loaded.generation})`
      : `Generation ${loaded.generation}${following ? ' (following)' : pinnedBecause ? ` (pinned: ${pinnedBecause})` : ''}`;
    return `${when}: ${loaded.heap.count.toLocaleString('en')} objects`;
  }

  /** Says how old a view of the running machine is, once that is worth saying. */
  function showAge(): void {
    const seconds = viewMoment === undefined ? 0 : Math.floor((Date.now() - viewMoment) / 1000);
    status.textContent = seconds >= AGE_SHOWN_FROM_S ? `${statusText} · ${seconds} s old` : statusText;
  }
  const ageTimer = setInterval(showAge, 1000);

  /**
   * Shows `loaded` in every view; in place (following) keeps the panes and marks what changed.
   * `moment` is when the view's state was taken, for views of the running machine.
   */
  async function present(loaded: LoadedGeneration, inPlace: boolean, moment?: number): Promise<void> {
    current = loaded;
    generationSelect.value = String(loaded.generation);
    pinnedBecause = undefined;
    statusText = statusOf(loaded, inPlace);
    viewMoment = moment;
    showAge();
    summary.show(loaded.summary, inPlace);
    threadsView.show(loaded);
    void collector.record(loaded).catch(options.onError);
    if (inPlace) panes.refresh(loaded);
    else panes.clearAll();
    if (compareSelect.value) await compare(Number(compareSelect.value), loaded.generation);
  }

  /** Newest generation asked to follow while another was loading. */
  let followNext: number | undefined;
  let following: Promise<void> | undefined;

  /** Bumped by every explicit choice of what to show, so a follow still loading does not override it. */
  let choice = 0;

  async function showGeneration(n?: number): Promise<void> {
    followNext = undefined;
    const mine = ++choice;
    const asked = Date.now();
    statusText = 'Loading…';
    viewMoment = undefined;
    showAge();
    try {
      await refreshGenerations();
      const loaded = await session.load(n);
      if (mine === choice) await present(loaded, false, loaded.live ? asked : undefined);
    } catch (err) {
      if (mine !== choice) return;
      statusText = 'Could not load the generation';
      showAge();
      options.onError(err);
    }
  }

  function follow(n: number): Promise<void> {
    followNext = n;
    following ??= (async () => {
      while (followNext !== undefined) {
        const next = followNext;
        followNext = undefined;
        const mine = choice;
        const asked = Date.now();
        try {
          await refreshGenerations();
          const loaded = await session.load(next);
          if (mine === choice) await present(loaded, current !== undefined, asked);
        } catch (err) {
          // Gone before it was read (a revert put the disk back, or retention reclaimed it): the
          // next generation follows; only a failure to read one still kept is worth a word.
          if (await isKept(next)) options.onError(err);
        }
      }
    })().finally(() => {
      following = undefined;
    });
    return following;
  }

  /** Whether the store still keeps generation n (true when that cannot be read: say the failure). */
  async function isKept(n: number): Promise<boolean> {
    const kept = await session.generations().catch(() => undefined);
    return kept === undefined || kept.some((k) => k.generation === n);
  }

  function pin(why?: string): void {
    followNext = undefined;
    choice++;
    if (why) pinnedBecause = why;
    if (!current) return;
    statusText = statusOf(current, false);
    showAge();
  }

  /** A comparison asked for from outside (the timeline): b becomes the generation shown. */
  async function showComparison(a: number, b: number): Promise<void> {
    followNext = undefined;
    const mine = ++choice;
    try {
      await refreshGenerations();
      const loaded = await session.load(b);
      if (mine !== choice) return;
      compareSelect.value = String(a);
      await present(loaded, false);
    } catch (err) {
      if (mine === choice) options.onError(err);
    }
  }

  async function compare(a: number, b: number): Promise<void> {
    try {
      const [before, after] = await Promise.all([session.load(a), session.load(b)]);
      compareSelect.value = String(a);
      diffView.show(before, after);
      select('diff');
    } catch (err) {
      options.onError(err);
    }
  }

  /**
   * Asks when the field `key` of the object at `address` changed; shows the two generations
   * around the change compared (the diff tab), the object as of the later one, and the field
   * marked with the answer.
   */
  async function answerWhen(address: number, key: string): Promise<void> {
    if (!options.whenChanged) return;
    if (current) {
      pin('answering when a value changed');
      options.onPick?.(current.generation);
    }
    try {
      const answer = await options.whenChanged(address, key);
      const cost = `${answer.probes} of ${answer.generations} generations probed, ${answer.reads.pages} pages read`;
      const change = answer.change;
      if (change) {
        // The later generation shown, compared with the one before: the diff tab opens.
        await showComparison(change.before, change.after);
        await showObject(address, false);
        const note = answer.note ? ` (${answer.note})` : '';
        panes.markWhen(
          address,
          key,
          `${key} changed between generation ${change.before} and ${change.after}: ${formatWhenValue(change.from)} → ${formatWhenValue(change.to)}${note}. ${cost}.`,
        );
      } else panes.markWhen(address, key, `${answer.note ?? 'No change found'}. ${cost}.`);
    } catch (err) {
      options.onError(err);
    }
  }

  /** Opens the object at `address`; `report` says that there is none as an error, else in a pane. */
  async function showObject(address: number, report = true): Promise<void> {
    if (!current) await showGeneration();
    if (!current) return;
    const node = current.heap.indexOf(address);
    if (node >= 0) panes.openObject(current, node);
    else if (report)
      options.onError(new Error(`no object at that address in generation ${current.generation}`));
    else panes.openList(current, `no object at ${formatRef(address)}`, []);
  }

  /**
   * Searches as the user types (after SEARCH_DELAY_MS) and at once on Enter. An address is looked
   * up only once it is whole (eight hex digits) or entered: a half-typed one is no error.
   */
  function runSearch(text: string, entered: boolean): void {
    if (!current || !text) return;
    const ref = parseRef(text);
    if (ref !== undefined && text.includes('0x')) {
      const digits = text.replace(/^@?0x/, '').length;
      if (entered || digits === 8) void showObject(ref, entered);
      return;
    }
    const eq = /^\s*([A-Za-z_][\w]*)\s*=\s*(.+)$/.exec(text);
    if (eq) {
      const raw = eq[2]!.trim();
      const value = raw === 'null' ? null : /^-?\d+$/.test(raw) ? Number(raw) : raw.replace(/^"(.*)"$/, '$1');
      const found = findByField(current.heap, eq[1]!, value);
      panes.openList(
        current,
        `${eq[1]} = ${raw} (${found.length})`,
        found.map((n) => current!.heap.addr[n]!),
      );
      return;
    }
    // Class names are typed as people say them: "Counter" finds .demo.counter.
    const needle = text.toLowerCase();
    const found = current.summary.filter((r) => r.className.toLowerCase().includes(needle));
    const nodes = found.flatMap((r) => instancesOf(current!.heap, r.className));
    panes.openList(
      current,
      `classes matching ${text} (${nodes.length})`,
      nodes.map((n) => current!.heap.addr[n]!),
    );
  }

  generationSelect.addEventListener('change', () => {
    const n = Number(generationSelect.value);
    options.onPick?.(n);
    void showGeneration(n);
  });
  compareSelect.addEventListener('change', () => {
    if (compareSelect.value && current) void compare(Number(compareSelect.value), current.generation);
  });
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => runSearch(search.value.trim(), false), SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    // Not the key's default too: with the focus moved, it would also press the first result.
    e.preventDefault();
    clearTimeout(searchTimer);
    runSearch(search.value.trim(), true);
    // Enter goes to the results, as the keyboard's way from the search to a pane.
    panes.focusLast();
  });
  select('summary');

  return {
    // One generation chosen from outside ends a comparison: it is shown, not diffed against.
    showGeneration: (n) => {
      if (compareSelect.value) {
        compareSelect.value = '';
        select('summary');
      }
      return showGeneration(n);
    },
    follow,
    showObject,
    compare: showComparison,
    pin,
    get generation() {
      return current?.generation;
    },
    graph,
    dispose: () => {
      clearInterval(ageTimer);
      clearTimeout(searchTimer);
      graph.dispose();
      root.remove();
    },
  };
}
