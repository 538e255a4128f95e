/**
 * The retainers tree of an object pane, as in Chrome DevTools' memory panel: the object's holders,
 * each named by the field that holds it and with its distance from the root, nearest first and
 * garbage last; a holder expands into its own holders, level by level, until the root, garbage or
 * a cycle ends the branch. The rows and their order come from common/retainers.ts; this only
 * draws them. Every toggle and reference is a button, so the tree is walked with Tab and Enter.
 */
import type { HeapSnapshot } from '../common/heap.js';
import { retainersOf, UNREACHABLE } from '../common/retainers.js';
import { h } from './dom.js';
import type { LoadedGeneration } from './session.js';

/** Holders listed under one row; the rest are counted. */
const RETAINERS_SHOWN = 100;

export interface RetainersTreeOptions {
  /** A reference button for `node` (opens it as a pane). */
  refLink(node: number): HTMLElement;
}

/** The tree for `node`, with its first level open. */
export function retainersTree(
  loaded: LoadedGeneration,
  node: number,
  options: RetainersTreeOptions,
): HTMLElement {
  const tree = h('ul', { class: 'ph-retainers', role: 'tree', 'data-testid': 'inspector-retainers' });
  fillLevel(tree, loaded, node, new Set([node]), 1, options);
  return tree;
}

function fillLevel(
  list: HTMLElement,
  loaded: LoadedGeneration,
  node: number,
  branch: ReadonlySet<number>,
  level: number,
  options: RetainersTreeOptions,
): void {
  const heap = loaded.heap;
  const rows = retainersOf(heap, node, loaded.distance(), branch);
  if (rows.length === 0)
    list.append(
      h(
        'li',
        { class: 'ph-muted', role: 'treeitem', 'aria-level': level },
        node === heap.root ? 'the root: the collector keeps everything it reaches' : 'nothing holds it',
      ),
    );
  for (const row of rows.slice(0, RETAINERS_SHOWN)) {
    const expandable = !row.cycle && row.node !== heap.root && heap.referrers(row.node).length > 0;
    const item = h('li', {
      role: 'treeitem',
      'aria-level': level,
      'data-ref': heap.addr[row.node],
      class: row.distance === UNREACHABLE ? 'ph-garbage' : '',
    });
    const children = h('ul', { role: 'group', hidden: true });
    const toggle = expandable
      ? h(
          'button',
          {
            class: 'ph-toggle',
            'aria-expanded': 'false',
            'aria-label': `Who holds ${describe(heap, row.node)}`,
            'data-testid': 'retainer-toggle',
          },
          '▸',
        )
      : h('span', { class: 'ph-toggle-spacer' });
    if (expandable) {
      let filled = false;
      toggle.addEventListener('click', () => {
        const open = toggle.getAttribute('aria-expanded') !== 'true';
        if (open && !filled) {
          filled = true;
          fillLevel(children, loaded, row.node, new Set([...branch, row.node]), level + 1, options);
        }
        toggle.setAttribute('aria-expanded', String(open));
        item.setAttribute('aria-expanded', String(open));
        toggle.textContent = open ? '▾' : '▸';
        children.hidden = !open;
      });
      item.setAttribute('aria-expanded', 'false');
    }
    item.append(
      h(
        'div',
        { class: 'ph-retainer' },
        toggle,
        h('span', { class: 'ph-via' }, row.via.map((v) => `.${v}`).join(', ')),
        ' in ',
        options.refLink(row.node),
        h(
          'span',
          {
            class: 'ph-distance',
            title:
              row.distance === UNREACHABLE
                ? 'Garbage: the root does not reach it; the next collection frees it'
                : 'Distance: references from the root',
          },
          row.distance === UNREACHABLE
            ? 'garbage'
            : row.cycle
              ? `${row.distance} · cycle`
              : String(row.distance),
        ),
      ),
      children,
    );
    list.append(item);
  }
  if (rows.length > RETAINERS_SHOWN)
    list.append(
      h(
        'li',
        { class: 'ph-muted', role: 'treeitem', 'aria-level': level },
        `… ${rows.length - RETAINERS_SHOWN} more`,
      ),
    );
}

function describe(heap: HeapSnapshot, node: number): string {
  return `${heap.className(heap.classOf[node]!)} @${heap.addr[node]!.toString(16)}`;
}
