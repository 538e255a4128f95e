/**
 * The splitter on the inspector's left edge: drag it, or focus it and use the arrow keys, to
 * give the inspector more or less of the workbench. The width lives in the `--inspector-width`
 * custom property that the workbench's grid reads; the editor and console take the rest.
 */

/** The inspector never gets narrower than this, nor leaves the editor less than EDITOR_MIN_PX. */
const INSPECTOR_MIN_PX = 280;
const EDITOR_MIN_PX = 320;
/** One arrow key press moves the splitter this far (Shift: five times as far). */
const KEY_STEP_PX = 20;

export function mountInspectorResizer(workbench: HTMLElement, inspector: HTMLElement): void {
  const handle = document.createElement('div');
  handle.className = 'inspector-resizer';
  handle.tabIndex = 0;
  handle.setAttribute('role', 'separator');
  handle.setAttribute('aria-orientation', 'vertical');
  handle.setAttribute('aria-label', 'Inspector width');
  handle.title = 'Drag, or use the arrow keys, to widen or narrow the inspector';
  handle.dataset.testid = 'inspector-resizer';
  inspector.prepend(handle);

  const explorerWidth = () => workbench.firstElementChild?.getBoundingClientRect().width ?? 0;
  const setWidth = (px: number) => {
    const max = workbench.clientWidth - explorerWidth() - EDITOR_MIN_PX;
    const width = Math.round(Math.max(INSPECTOR_MIN_PX, Math.min(max, px)));
    document.body.style.setProperty('--inspector-width', `${width}px`);
    handle.setAttribute('aria-valuenow', String(width));
  };
  const currentWidth = () => inspector.getBoundingClientRect().width;

  handle.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    handle.classList.add('dragging');
  });
  handle.addEventListener('pointermove', (event) => {
    if (handle.hasPointerCapture(event.pointerId))
      setWidth(workbench.getBoundingClientRect().right - event.clientX);
  });
  const stop = (event: PointerEvent) => {
    if (handle.hasPointerCapture(event.pointerId)) handle.releasePointerCapture(event.pointerId);
    handle.classList.remove('dragging');
  };
  handle.addEventListener('pointerup', stop);
  handle.addEventListener('pointercancel', stop);
  handle.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? KEY_STEP_PX * 5 : KEY_STEP_PX;
    if (event.key === 'ArrowLeft') setWidth(currentWidth() + step);
    else if (event.key === 'ArrowRight') setWidth(currentWidth() - step);
    else return;
    event.preventDefault();
  });
}
