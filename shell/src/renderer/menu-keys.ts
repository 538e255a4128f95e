/**
 * The keys of the studio's small pop-up menus (the console's, the timeline's generation menu):
 * the arrows move between the enabled items, round the ends; Escape closes the menu.
 */

/** Handles a keydown inside `menu`; `close` hides it and gives the focus back. */
export function menuKey(menu: HTMLElement, event: KeyboardEvent, close: () => void): void {
  const items = [...menu.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)')];
  const at = items.indexOf(document.activeElement as HTMLButtonElement);
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    items[(at + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length]?.focus();
  } else if (event.key === 'Escape') {
    event.preventDefault();
    close();
  }
}
