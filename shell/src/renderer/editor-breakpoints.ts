/**
 * Breakpoints in the editor's gutter and the line the debugger stopped at. A click in the glyph
 * margin sets or removes a breakpoint (F9 at the cursor does the same); a right-click opens a
 * menu to edit its condition or hit count, make it a logpoint, disable, enable or remove it.
 * Markers say what the adapter answered: a filled dot where the machine took the breakpoint, a
 * hollow one (with the adapter's reason on hover) where it did not, grey when disabled, a diamond
 * for a logpoint; while no session runs every set breakpoint shows filled, as in VS Code. The
 * stopped frame's line is marked with an arrow and a band.
 */
import type { UserBreakpoint } from '../common/breakpoints.js';
import type { Debugger } from './debugger.js';
import { monaco } from './monaco.js';

type Kind = 'condition' | 'hitCondition' | 'logMessage';

const KIND_LABELS: Record<Kind, string> = {
  condition: 'Expression (local OP number, e.g. i == 3)',
  hitCondition: 'Hit count (stop from the Nth hit: 5)',
  logMessage: 'Log message (printed, not stopping)',
};

export class EditorBreakpoints {
  private readonly decorations: monaco.editor.IEditorDecorationsCollection;
  private readonly menu: HTMLElement;
  private readonly dialog: HTMLDialogElement;
  /** The stopped frame's place: file ("root/path") and line. */
  private current: { file: string; line: number } | undefined;

  constructor(
    private readonly editor: monaco.editor.IStandaloneCodeEditor,
    private readonly debug: Debugger,
    /** The "root/path" of a model the editor shows, if it is one of the studio's files. */
    private readonly fileOf: (model: monaco.editor.ITextModel) => string | undefined,
  ) {
    editor.updateOptions({ glyphMargin: true });
    this.decorations = editor.createDecorationsCollection();
    this.menu = document.createElement('div');
    this.menu.className = 'breakpoint-menu';
    this.menu.setAttribute('role', 'menu');
    this.menu.hidden = true;
    this.menu.dataset.testid = 'breakpoint-menu';
    this.dialog = document.createElement('dialog');
    this.dialog.className = 'confirm-dialog breakpoint-dialog';
    document.body.append(this.menu, this.dialog);
    editor.onMouseDown((e) => {
      if (e.target.type !== monaco.editor.MouseTargetType.GUTTER_GLYPH_MARGIN) return;
      const line = e.target.position?.lineNumber;
      const file = this.file();
      if (line === undefined || file === undefined) return;
      if (e.event.rightButton) return;
      e.event.preventDefault();
      this.debug.toggleBreakpoint(file, line);
    });
    editor.onContextMenu((e) => {
      if (
        e.target.type !== monaco.editor.MouseTargetType.GUTTER_GLYPH_MARGIN &&
        e.target.type !== monaco.editor.MouseTargetType.GUTTER_LINE_NUMBERS
      )
        return;
      const line = e.target.position?.lineNumber;
      if (line === undefined) return;
      e.event.preventDefault();
      e.event.stopPropagation();
      this.openMenu(line, e.event.posx, e.event.posy);
    });
    editor.onDidChangeModel(() => this.draw());
    debug.onDidChangeBreakpoints(() => this.draw());
    document.addEventListener('mousedown', (event) => {
      if (!this.menu.hidden && !this.menu.contains(event.target as Node)) this.closeMenu();
    });
    this.menu.addEventListener('keydown', (event) => this.menuKey(event));
  }

  /** F9: a breakpoint on the cursor's line, or none. */
  toggleAtCursor(): void {
    const file = this.file();
    const line = this.editor.getPosition()?.lineNumber;
    if (file !== undefined && line !== undefined) this.debug.toggleBreakpoint(file, line);
  }

  /** The gutter's menu for the cursor's line, from the keyboard. */
  openMenuAtCursor(): void {
    const line = this.editor.getPosition()?.lineNumber;
    if (line === undefined) return;
    const at = this.editor.getScrolledVisiblePosition({ lineNumber: line, column: 1 });
    const box = this.editor.getDomNode()?.getBoundingClientRect();
    this.openMenu(
      line,
      (box?.left ?? 0) + (at?.left ?? 0),
      (box?.top ?? 0) + (at?.top ?? 0) + (at?.height ?? 0),
    );
  }

  /** Marks the stopped frame's line (after the editor has opened its file), or clears the mark. */
  showCurrent(place: { file: string; line: number } | undefined): void {
    this.current = place;
    this.draw();
    if (place && this.file() === place.file)
      this.editor.revealLineInCenterIfOutsideViewport(place.line, monaco.editor.ScrollType.Smooth);
  }

  private file(): string | undefined {
    const model = this.editor.getModel();
    return model ? this.fileOf(model) : undefined;
  }

  private draw(): void {
    const file = this.file();
    if (file === undefined) {
      this.decorations.clear();
      return;
    }
    const decorations: monaco.editor.IModelDeltaDecoration[] = [];
    for (const bp of this.debug.breakpoints.of(file)) {
      const { className, hover } = this.marker(file, bp);
      decorations.push({
        range: new monaco.Range(bp.line, 1, bp.line, 1),
        options: {
          glyphMarginClassName: className,
          glyphMarginHoverMessage: { value: hover },
          stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
        },
      });
    }
    if (this.current?.file === file)
      decorations.push({
        range: new monaco.Range(this.current.line, 1, this.current.line, 1),
        options: {
          isWholeLine: true,
          className: 'debug-current-line',
          glyphMarginClassName: 'debug-current-glyph',
          glyphMarginHoverMessage: { value: 'Stopped here' },
          overviewRuler: { color: '#ffcc00', position: monaco.editor.OverviewRulerLane.Full },
        },
      });
    this.decorations.set(decorations);
  }

  private marker(file: string, bp: UserBreakpoint): { className: string; hover: string } {
    const kind = bp.logMessage ? 'log' : bp.condition || bp.hitCondition ? 'conditional' : 'plain';
    const what = [
      bp.logMessage ? `Logpoint: ${bp.logMessage}` : 'Breakpoint',
      bp.condition ? `when ${bp.condition}` : '',
      bp.hitCondition ? `from hit ${bp.hitCondition}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const classes = ['breakpoint-glyph', `breakpoint-${kind}`];
    if (!bp.enabled)
      return { className: [...classes, 'breakpoint-disabled'].join(' '), hover: `${what} (disabled)` };
    const status = this.debug.statusOf(file, bp.line);
    if (status === undefined) return { className: classes.join(' '), hover: what };
    if (!status.verified)
      return {
        className: [...classes, 'breakpoint-unverified'].join(' '),
        hover: `${what}: not set in the machine — ${status.message ?? 'the adapter did not say why'}`,
      };
    return {
      className: [...classes, 'breakpoint-verified'].join(' '),
      hover: `${what}: set in the machine${status.message ? ` (${status.message})` : ''}`,
    };
  }

  private openMenu(line: number, x: number, y: number): void {
    const file = this.file();
    if (file === undefined) return;
    const bp = this.debug.breakpointAt(file, line);
    const items: { label: string; run: () => void }[] = [];
    if (!bp) {
      items.push({ label: 'Add breakpoint', run: () => this.debug.toggleBreakpoint(file, line) });
      items.push({
        label: 'Add conditional breakpoint…',
        run: () => void this.edit(file, line, 'condition'),
      });
      items.push({ label: 'Add logpoint…', run: () => void this.edit(file, line, 'logMessage') });
    } else {
      items.push({ label: 'Edit condition…', run: () => void this.edit(file, line, 'condition') });
      items.push({ label: 'Edit hit count…', run: () => void this.edit(file, line, 'hitCondition') });
      items.push({
        label: bp.logMessage ? 'Edit log message…' : 'Make it a logpoint…',
        run: () => void this.edit(file, line, 'logMessage'),
      });
      items.push({
        label: bp.enabled ? 'Disable breakpoint' : 'Enable breakpoint',
        run: () => this.debug.setBreakpointEnabled(file, line, !bp.enabled),
      });
      items.push({ label: 'Remove breakpoint', run: () => this.debug.removeBreakpoint(file, line) });
    }
    this.menu.replaceChildren(
      ...items.map((item) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.setAttribute('role', 'menuitem');
        button.textContent = item.label;
        button.addEventListener('click', () => {
          this.closeMenu();
          item.run();
        });
        return button;
      }),
    );
    this.menu.hidden = false;
    this.menu.style.left = `${Math.min(x, window.innerWidth - 240)}px`;
    this.menu.style.top = `${Math.min(y, window.innerHeight - 30 * items.length - 10)}px`;
    this.menu.querySelector<HTMLButtonElement>('button')?.focus();
  }

  private menuKey(event: KeyboardEvent): void {
    const buttons = [...this.menu.querySelectorAll<HTMLButtonElement>('button')];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      this.closeMenu();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      buttons[(at + step + buttons.length) % buttons.length]?.focus();
    }
  }

  private closeMenu(): void {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    this.editor.focus();
  }

  /** A small form for the breakpoint's condition, hit count or log message; empty clears it. */
  private edit(file: string, line: number, kind: Kind): Promise<void> {
    const bp = this.debug.breakpointAt(file, line);
    return new Promise((resolve) => {
      const form = document.createElement('form');
      form.method = 'dialog';
      const heading = document.createElement('h3');
      heading.textContent = `Breakpoint on line ${line}`;
      const kindField = document.createElement('label');
      kindField.className = 'field';
      kindField.textContent = 'Kind';
      const select = document.createElement('select');
      select.dataset.testid = 'breakpoint-kind';
      for (const k of Object.keys(KIND_LABELS) as Kind[]) {
        const option = document.createElement('option');
        option.value = k;
        option.textContent = KIND_LABELS[k];
        select.append(option);
      }
      select.value = kind;
      kindField.append(select);
      const textField = document.createElement('label');
      textField.className = 'field';
      textField.textContent = 'Text (empty: none)';
      const input = document.createElement('input');
      input.dataset.testid = 'breakpoint-text';
      input.value = bp?.[kind] ?? '';
      select.addEventListener('change', () => {
        input.value = bp?.[select.value as Kind] ?? '';
      });
      textField.append(input);
      const actions = document.createElement('div');
      actions.className = 'dialog-actions';
      const cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.textContent = 'Cancel';
      cancel.addEventListener('click', () => this.dialog.close());
      const ok = document.createElement('button');
      ok.type = 'submit';
      ok.className = 'primary';
      ok.textContent = 'OK';
      ok.dataset.testid = 'breakpoint-ok';
      actions.append(cancel, ok);
      form.append(heading, kindField, textField, actions);
      let answered = false;
      form.addEventListener('submit', () => {
        answered = true;
      });
      this.dialog.replaceChildren(form);
      this.dialog.addEventListener(
        'close',
        () => {
          if (answered) this.debug.configureBreakpoint(file, line, { [select.value]: input.value });
          this.editor.focus();
          resolve();
        },
        { once: true },
      );
      this.dialog.showModal();
      input.focus();
    });
  }
}
