/**
 * The Problems panel: the errors and warnings of every open file, as the language server reports
 * them, live — a fixed error leaves the list as soon as the server has checked the fix. It sits
 * under the editor, opened from the status bar's count (or by "Install" when the file has
 * errors); a click or Enter on a problem shows it in the editor.
 */
import type { Diagnostic } from 'vscode-languageserver-types';
import { diagnosticText } from '../common/language-client.js';
import type { EditorLanguage, Problem } from './editor-language.js';
import type { monaco } from './monaco.js';

const SEVERITY_NAMES: Record<number, string> = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };
const SEVERITY_ICONS: Record<number, string> = { 1: '⊗', 2: '⚠', 3: 'ⓘ', 4: '·' };

function severityOf(d: Diagnostic): number {
  return d.severity ?? 1;
}

export class ProblemsPanel {
  private readonly panel: HTMLElement;
  private readonly list: HTMLElement;
  private readonly counts: HTMLElement;
  private readonly empty: HTMLElement;

  constructor(
    editorRoot: HTMLElement,
    /** The status bar's count, which opens and closes the panel. */
    private readonly statusItem: HTMLButtonElement,
    private readonly language: EditorLanguage,
    /** How a file is named to the user (its root and path). */
    private readonly nameOf: (uri: monaco.Uri) => string,
    /** Shows a problem in the editor. */
    private readonly onPick: (problem: Problem) => void,
  ) {
    this.panel = document.createElement('section');
    this.panel.className = 'problems';
    this.panel.dataset.testid = 'problems';
    this.panel.setAttribute('aria-label', 'Problems');
    this.panel.hidden = true;
    const header = document.createElement('div');
    header.className = 'panel-header problems-header';
    const title = document.createElement('h2');
    title.textContent = 'Problems';
    this.counts = document.createElement('span');
    this.counts.className = 'problems-counts';
    const spacer = document.createElement('span');
    spacer.className = 'spacer';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'icon-button';
    close.title = 'Close the Problems panel';
    close.textContent = '×';
    close.addEventListener('click', () => this.show(false));
    header.append(title, this.counts, spacer, close);
    this.list = document.createElement('ul');
    this.list.className = 'problems-list';
    this.empty = document.createElement('p');
    this.empty.className = 'problems-empty';
    this.empty.textContent = 'No problems in the open files.';
    this.panel.append(header, this.list, this.empty);
    editorRoot.append(this.panel);
    statusItem.hidden = false;
    statusItem.addEventListener('click', () => this.show(this.panel.hidden !== false));
    language.onDidChangeProblems(() => this.render());
    this.render();
  }

  /** Opens the panel (Install does when the file does not compile). */
  reveal(): void {
    this.show(true);
  }

  private show(visible: boolean): void {
    this.panel.hidden = !visible;
    this.statusItem.setAttribute('aria-pressed', String(visible));
  }

  private render(): void {
    const problems = this.language.problems();
    const errors = problems.filter((p) => severityOf(p.diagnostic) === 1).length;
    const warnings = problems.filter((p) => severityOf(p.diagnostic) === 2).length;
    this.statusItem.textContent = `⊗ ${errors}  ⚠ ${warnings}`;
    this.statusItem.title = `${errors} error${errors === 1 ? '' : 's'} and ${warnings} warning${warnings === 1 ? '' : 's'} in the open files: show or hide the Problems panel`;
    this.statusItem.classList.toggle('has-errors', errors > 0);
    this.counts.textContent = problems.length > 0 ? String(problems.length) : '';
    this.empty.hidden = problems.length > 0;
    this.list.replaceChildren(...problems.map((p) => this.row(p)));
  }

  private row(problem: Problem): HTMLElement {
    const d = problem.diagnostic;
    const severity = severityOf(d);
    const item = document.createElement('li');
    item.className = `problem ${SEVERITY_NAMES[severity] ?? 'error'}`;
    item.dataset.testid = 'problem';
    item.tabIndex = 0;
    const icon = document.createElement('span');
    icon.className = 'problem-icon';
    icon.setAttribute('aria-label', SEVERITY_NAMES[severity] ?? 'error');
    icon.textContent = SEVERITY_ICONS[severity] ?? '⊗';
    const message = document.createElement('span');
    message.className = 'problem-message';
    message.textContent = diagnosticText(d);
    const code = document.createElement('span');
    code.className = 'problem-code';
    code.textContent = d.code === undefined ? '' : String(d.code);
    const where = document.createElement('span');
    where.className = 'problem-where';
    where.textContent = `${this.nameOf(problem.uri)}  ${d.range.start.line + 1}:${d.range.start.character + 1}`;
    item.append(icon, message, code, where);
    item.addEventListener('click', () => this.onPick(problem));
    item.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.onPick(problem);
    });
    return item;
  }
}
