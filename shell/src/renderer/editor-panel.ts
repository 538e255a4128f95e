/**
 * The editor panel: Monaco with one tab per open file, save through the host (Ctrl+S), the
 * language server's features (editor-language.ts: diagnostics as squiggles, completion, hover,
 * definition, references, rename, outline) and the Problems panel under it. Files are always
 * named by root and relative path; the host checks every path.
 */
import { phantomLanguageConfiguration } from '@phantom/lang/common/editor/language-configuration.js';
import {
  PHANTOM_FILE_EXTENSIONS,
  PHANTOM_LANGUAGE_ID,
  phantomMonarch,
} from '@phantom/lang/common/editor/monarch.js';
import type { FileEntry } from '../common/api.js';
import type { ApiClient } from './api-client.js';
import type { Debugger } from './debugger.js';
import { EditorBreakpoints } from './editor-breakpoints.js';
import { EditorLanguage, type Problem } from './editor-language.js';
import { monaco } from './monaco.js';
import { showError } from './notifications.js';
import { ProblemsPanel } from './problems-panel.js';

const PHANTOM_LANGUAGE = PHANTOM_LANGUAGE_ID;

interface OpenFile {
  entry: FileEntry;
  model: monaco.editor.ITextModel;
  savedVersion: number;
  tab: HTMLElement;
  viewState: monaco.editor.ICodeEditorViewState | null;
}

function uriOf(entry: FileEntry): monaco.Uri {
  return monaco.Uri.from({ scheme: 'phantom', path: `/${entry.root}/${entry.path}` });
}

function entryOf(uri: monaco.Uri): FileEntry | undefined {
  const match = /^\/(examples|project)\/(.+)$/.exec(uri.path);
  return match ? { root: match[1] as FileEntry['root'], path: match[2]! } : undefined;
}

/** What "Install" does once the classes are in the machine. */
export enum AfterInstall {
  Nothing = 'nothing',
  /** Start the file's program class (`new C().run()`) in a new thread. */
  RunProgram = 'run-program',
}

export class EditorPanel {
  private readonly editor: monaco.editor.IStandaloneCodeEditor;
  private readonly files = new Map<string, OpenFile>();
  private current: OpenFile | undefined;
  private readonly tabStrip: HTMLElement;
  private readonly emptyState: HTMLElement;
  private readonly language: EditorLanguage;
  private readonly problems: ProblemsPanel;
  private readonly onDidChangeStatus = new Set<(status: string) => void>();
  /** Tab moves the focus instead of inserting a tab (VS Code's tab focus mode, Ctrl+M). */
  private tabMovesFocus = false;
  private readonly onDidChangeTabMode = new Set<(movesFocus: boolean) => void>();
  private breakpoints: EditorBreakpoints | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: ApiClient,
    /** The machine the machine bar has picked: "Install into machine" targets it. */
    private readonly targetMachine: () => string | undefined,
    /** The status bar's count of problems, which opens the Problems panel. */
    problemsStatus: HTMLButtonElement,
  ) {
    this.emptyState = root.querySelector<HTMLElement>('.empty-state')!;
    this.tabStrip = document.createElement('div');
    this.tabStrip.className = 'tab-strip editor-tabs';
    this.tabStrip.setAttribute('role', 'tablist');
    const host = document.createElement('div');
    host.className = 'monaco-host';
    host.dataset.testid = 'monaco';
    const installButton = (testid: string, label: string, title: string, after: AfterInstall) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'editor-install';
      button.dataset.testid = testid;
      button.textContent = label;
      button.title = title;
      button.addEventListener('click', () => void this.installIntoMachine(after));
      return button;
    };
    const install = installButton(
      'editor-install',
      'Install into machine',
      'Compile this file and replace its classes in the running machine (new calls use the new code)',
      AfterInstall.Nothing,
    );
    const installAndRun = installButton(
      'editor-install-run',
      'Install and run',
      "Install this file's classes into the running machine, then start its program (run()) in a new thread",
      AfterInstall.RunProgram,
    );
    this.tabStrip.append(install, installAndRun);
    root.append(this.tabStrip, host);
    root.classList.add('no-file');
    monaco.languages.register({
      id: PHANTOM_LANGUAGE,
      extensions: [...PHANTOM_FILE_EXTENSIONS],
      aliases: ['Phantom'],
    });
    // lang keeps these as plain data (readonly) so it needs no Monaco; their shapes are Monaco's.
    monaco.languages.setMonarchTokensProvider(
      PHANTOM_LANGUAGE,
      phantomMonarch as unknown as monaco.languages.IMonarchLanguage,
    );
    monaco.languages.setLanguageConfiguration(
      PHANTOM_LANGUAGE,
      phantomLanguageConfiguration as unknown as monaco.languages.LanguageConfiguration,
    );
    this.editor = monaco.editor.create(host, {
      theme: 'phantom-dark',
      automaticLayout: true,
      fontFamily: '"DejaVu Sans Mono", "Liberation Mono", monospace',
      fontSize: 13,
      minimap: { enabled: true, renderCharacters: false },
      scrollBeyondLastLine: false,
      renderWhitespace: 'selection',
      fixedOverflowWidgets: true,
      // Completion is the language server's: members by type, not every word of the file.
      wordBasedSuggestions: 'off',
    });
    this.editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => void this.save());
    // The studio owns the mode (not Monaco's hidden global), so the status bar can show it.
    this.editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyM, () => this.toggleTabMovesFocus());
    // After the change: an undo sets the model's alternative version id back (to the saved
    // one, when it undoes every edit) only once its content event has been sent.
    this.editor.onDidChangeModelContent(() =>
      queueMicrotask(() => {
        if (this.current) this.markDirty(this.current);
      }),
    );
    this.editor.onDidChangeCursorPosition(({ position }) =>
      this.status(`Ln ${position.lineNumber}, Col ${position.column}`),
    );
    this.language = new EditorLanguage(api, showError);
    this.problems = new ProblemsPanel(
      root,
      problemsStatus,
      this.language,
      (uri) => uri.path.slice(1),
      (problem) => void this.showProblem(problem),
    );
  }

  /** Breakpoints in the gutter and the stopped line, for the debugger. */
  attachDebugger(debug: Debugger): EditorBreakpoints {
    this.breakpoints ??= new EditorBreakpoints(this.editor, debug, (model) => {
      const entry = entryOf(model.uri);
      return entry ? `${entry.root}/${entry.path}` : undefined;
    });
    return this.breakpoints;
  }

  /** Opens the file ("root/path") the debugger stopped in and marks the line; undefined clears the mark. */
  async showStop(place: { file: string; line: number } | undefined): Promise<void> {
    if (place) {
      const slash = place.file.indexOf('/');
      const root = place.file.slice(0, slash);
      if (root === 'examples' || root === 'project')
        await this.open({ root, path: place.file.slice(slash + 1) });
    }
    this.breakpoints?.showCurrent(place);
  }

  /** Whether Tab moves the focus out of the editor; toggled by Ctrl+M, told to `onTabMode` listeners. */
  toggleTabMovesFocus(): void {
    this.tabMovesFocus = !this.tabMovesFocus;
    this.editor.updateOptions({ tabFocusMode: this.tabMovesFocus });
    for (const listener of this.onDidChangeTabMode) listener(this.tabMovesFocus);
  }

  onTabMode(listener: (movesFocus: boolean) => void): void {
    this.onDidChangeTabMode.add(listener);
  }

  focus(): void {
    this.editor.focus();
  }

  /** Status text for the status bar (cursor position, saved, checker state). */
  onStatus(listener: (status: string) => void): void {
    this.onDidChangeStatus.add(listener);
  }

  async open(entry: FileEntry): Promise<void> {
    const key = uriOf(entry).toString();
    let file = this.files.get(key);
    if (!file) {
      let text: string;
      try {
        ({ text } = await this.api.call('files.read', entry));
      } catch (err) {
        showError(`Cannot open ${entry.root}/${entry.path}`, err);
        return;
      }
      const existing = this.files.get(key);
      if (existing) file = existing;
      else {
        const model = monaco.editor.createModel(text, PHANTOM_LANGUAGE, uriOf(entry));
        file = {
          entry,
          model,
          savedVersion: model.getAlternativeVersionId(),
          tab: this.createTab(entry),
          viewState: null,
        };
        this.files.set(key, file);
        this.language.open(model);
      }
    }
    this.show(file);
  }

  /**
   * Compiles the current file and installs its classes into the picked, running machine; then,
   * if asked, starts the file's program class in a new thread.
   */
  async installIntoMachine(after: AfterInstall): Promise<void> {
    const file = this.current;
    const machine = this.targetMachine();
    if (!file) return showError('Nothing to install', new Error('Open a program first.'));
    // A file that does not compile is shown in the Problems panel, which empties as it is fixed,
    // rather than in a notification that would outlive the fix. Without a current answer from
    // the language server, the host's compile decides (and a refusal is a notification).
    const errors = await this.language.errorsOf(file.model).catch(() => undefined);
    if (errors !== undefined && errors.length > 0) {
      this.problems.reveal();
      this.status(
        `Not installed: ${file.entry.path} has ${errors.length} error${errors.length === 1 ? '' : 's'} (see Problems)`,
      );
      return;
    }
    if (!machine)
      return showError(
        'Nothing to install into',
        new Error('Pick a running machine in the machine bar first.'),
      );
    try {
      const { classes, ran } = await this.api.call('machine.installClasses', {
        ...file.entry,
        machine,
        text: file.model.getValue(),
        ...(after === AfterInstall.RunProgram ? { run: true } : {}),
      });
      this.status(
        `Installed ${classes.join(', ') || 'no classes'} into ${machine}${ran ? `; started ${ran}` : ''}`,
      );
    } catch (err) {
      showError(`Cannot install ${file.entry.path} into ${machine}`, err);
    }
  }

  async save(): Promise<void> {
    const file = this.current;
    if (!file) return;
    const version = file.model.getAlternativeVersionId();
    try {
      await this.api.call('files.write', { ...file.entry, text: file.model.getValue() });
      file.savedVersion = version;
      this.markDirty(file);
      this.status(`Saved ${file.entry.path}`);
    } catch (err) {
      showError(`Cannot save ${file.entry.root}/${file.entry.path}`, err);
    }
  }

  private show(file: OpenFile): void {
    if (this.current && this.current !== file) this.current.viewState = this.editor.saveViewState();
    this.current = file;
    this.editor.setModel(file.model);
    if (file.viewState) this.editor.restoreViewState(file.viewState);
    for (const other of this.files.values()) other.tab.classList.toggle('active', other === file);
    this.root.classList.remove('no-file');
    this.emptyState.hidden = true;
    this.editor.focus();
  }

  /** Opens the problem's file (if it is not the one shown) and puts the cursor on the problem. */
  private async showProblem(problem: Problem): Promise<void> {
    const entry = entryOf(problem.uri);
    if (!entry) return;
    await this.open(entry);
    const { start, end } = problem.diagnostic.range;
    // Selected from its end back to its start, so the cursor stands where the problem begins.
    const selection = new monaco.Selection(
      end.line + 1,
      end.character + 1,
      start.line + 1,
      start.character + 1,
    );
    this.editor.setSelection(selection);
    this.editor.revealRangeInCenter(selection);
    this.editor.focus();
  }

  private createTab(entry: FileEntry): HTMLElement {
    const tab = document.createElement('div');
    tab.className = 'tab';
    tab.setAttribute('role', 'tab');
    tab.title = `${entry.root}/${entry.path}`;
    tab.dataset.file = `${entry.root}/${entry.path}`;
    const name = document.createElement('span');
    name.className = 'tab-title';
    name.textContent = entry.path.split('/').pop()!;
    const close = document.createElement('button');
    close.className = 'tab-close';
    close.textContent = '×';
    close.title = 'Close';
    tab.append(name, close);
    tab.addEventListener('click', (event) => {
      const file = this.files.get(uriOf(entry).toString());
      if (!file) return;
      if (event.target === close) this.close(file);
      else this.show(file);
    });
    this.tabStrip.append(tab);
    return tab;
  }

  private close(file: OpenFile): void {
    if (
      file.model.getAlternativeVersionId() !== file.savedVersion &&
      !confirm(`${file.entry.path} has unsaved changes. Close it anyway?`)
    )
      return;
    this.files.delete(file.model.uri.toString());
    file.tab.remove();
    if (this.current === file) {
      this.current = undefined;
      const next = [...this.files.values()].at(-1);
      if (next) this.show(next);
      else {
        this.editor.setModel(null);
        this.emptyState.hidden = false;
        this.root.classList.add('no-file');
      }
    }
    this.language.close(file.model);
    file.model.dispose();
  }

  private markDirty(file: OpenFile): void {
    file.tab.classList.toggle('dirty', file.model.getAlternativeVersionId() !== file.savedVersion);
  }

  private status(text: string): void {
    for (const listener of this.onDidChangeStatus) listener(text);
  }
}
