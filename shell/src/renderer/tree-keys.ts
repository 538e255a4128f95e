/**
 * Keyboard walking for a DOM tree drawn as nested `li[role=treeitem]` (with `aria-expanded` on
 * the items that open and a `[role=group]` list of children inside), as the WAI-ARIA tree pattern
 * has it: one tab stop for the whole tree (a roving tabindex on the items), Up and Down to the
 * item above and below among those shown, Home and End, Right to open an item or go to its first
 * child, Left to close it or go to its parent, Enter and Space to open or close.
 *
 * Not here: what opening reads (the tree's owner: `toggle` is told which item to open or close).
 */

/** Wires the keys on `tree`; `toggle` opens or closes an item that has `aria-expanded`. */
export function treeKeyboard(tree: HTMLElement, toggle: (item: HTMLElement) => void): void {
  tree.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const items = shownItems(tree);
    if (items.length === 0) return;
    const current = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    const at = current === null ? -1 : items.indexOf(current);
    const expanded = current?.getAttribute('aria-expanded');
    let next: HTMLElement | undefined;
    switch (event.key) {
      case 'ArrowDown':
        next = items[Math.min(items.length - 1, at + 1)];
        break;
      case 'ArrowUp':
        next = items[Math.max(0, at - 1)];
        break;
      case 'Home':
        next = items[0];
        break;
      case 'End':
        next = items.at(-1);
        break;
      case 'ArrowRight':
        if (expanded === 'false') toggle(current!);
        else if (expanded === 'true') next = childItems(current!)[0];
        break;
      case 'ArrowLeft':
        if (expanded === 'true') toggle(current!);
        else next = current?.parentElement?.closest<HTMLElement>('[role="treeitem"]') ?? undefined;
        break;
      case 'Enter':
      case ' ':
        if (expanded === null || expanded === undefined || event.target !== current) return;
        toggle(current!);
        break;
      default:
        return;
    }
    event.preventDefault();
    if (next !== undefined) focusItem(tree, next);
  });
  // Focus coming into the tree (Tab, or a click on the tree's empty part) lands on an item.
  tree.addEventListener('focus', () => {
    const items = shownItems(tree);
    const first = items.find((i) => i.tabIndex === 0) ?? items[0];
    if (first !== undefined) focusItem(tree, first);
  });
  tree.tabIndex = 0;
  // Items drawn later (a frame's variables, an opened object's fields) join the roving tabindex.
  new MutationObserver(() => {
    const items = tree.querySelectorAll<HTMLElement>('[role="treeitem"]');
    if (items.length === 0) {
      tree.tabIndex = 0;
      return;
    }
    tree.tabIndex = -1;
    let stop = false;
    for (const item of items) {
      if (item.tabIndex === 0 && !stop) stop = true;
      else item.tabIndex = -1;
    }
    if (!stop) shownItems(tree)[0]!.tabIndex = 0;
  }).observe(tree, { childList: true, subtree: true });
}

/** The items not inside a closed one, in the order they are drawn. */
function shownItems(tree: HTMLElement): HTMLElement[] {
  return [...tree.querySelectorAll<HTMLElement>('[role="treeitem"]')].filter((item) => {
    for (let up = item.parentElement; up !== null && up !== tree; up = up.parentElement)
      if (up.getAttribute('role') === 'treeitem' && up.getAttribute('aria-expanded') !== 'true') return false;
    return true;
  });
}

function childItems(item: HTMLElement): HTMLElement[] {
  const group = item.querySelector<HTMLElement>(':scope > [role="group"]');
  return group === null ? [] : [...group.querySelectorAll<HTMLElement>(':scope > [role="treeitem"]')];
}

function focusItem(tree: HTMLElement, item: HTMLElement): void {
  for (const other of tree.querySelectorAll<HTMLElement>('[role="treeitem"]')) other.tabIndex = -1;
  item.tabIndex = 0;
  item.focus();
}
