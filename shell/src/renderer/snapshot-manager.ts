/**
 * The snapshot manager, as VMware's: the machine's branches and checkpoints as a tree
 * (snapshot-tree.ts draws nothing; this only shows its model) with "you are here", and beside it
 * what is chosen — its name and description to edit, when it was taken and at which generation
 * of which branch, what deleting it frees. Take a checkpoint (a name and a description), rename
 * it, describe it later, delete it (undone from the notification within the host's time, as in
 * GNOME Boxes), revert to it, or show a branch on the timeline.
 *
 * Keyboard throughout: the tree is one focus stop (arrows move, Left and Right fold and unfold,
 * Home and End; Enter reverts to a checkpoint or shows a branch; F2 renames; Delete deletes;
 * Ctrl+Z takes the last deletion back), Escape closes. It is a non-modal dialog, so the undo in
 * the notifications stays within reach.
 *
 * The timeline refreshes on every generation the studio follows, so a refresh changes the DOM in
 * place: rows are kept by their key and only what changed in them is written, the details of the
 * chosen row keep their fields and buttons. What the user is doing — typing a name (its text,
 * caret and undo), the focus, a click half done, the tree's scroll — is never taken away.
 */
import { setAttribute, setText } from '@phantom/inspector/browser/dom.js';
import { formatBytes } from '@phantom/vm-manager/common/checkpoint-tree.js';
import {
  checkpointLabel,
  flattenTree,
  type SnapshotNode,
  snapshotTree,
  suggestedCheckpointName,
} from '../common/snapshot-tree.js';
import type { TimelineLayout } from '../common/timeline-layout.js';
import type { ApiClient } from './api-client.js';
import { clearNotifications, showError, showInfo } from './notifications.js';

export interface SnapshotManagerHost {
  api: ApiClient;
  /** The machine the timeline shows. */
  machine(): string | undefined;
  /** The timeline's model, as the timeline draws it now. */
  layout(): TimelineLayout;
  /** Reads the timeline again (after an edit here). */
  refresh(): Promise<void>;
  /** The timeline's confirmations, which say what a revert or a rollback keeps. */
  confirmRevert(checkpoint: number): void;
  confirmRollback(generation: number): void;
  /** Chooses a generation on the timeline (the inspector shows it). */
  select(generation: number): void;
}

/** A row's key, stable across refreshes (indexes are not). */
function keyOf(node: SnapshotNode): string {
  if (node.kind === 'branch') return `branch:${node.lane}`;
  if (node.kind === 'checkpoint') return `checkpoint:${node.checkpoint.name}`;
  return 'here';
}

const GLYPHS: Record<SnapshotNode['kind'], string> = { branch: '━', checkpoint: '◆', here: '▶' };

type CheckpointNode = Extract<SnapshotNode, { kind: 'checkpoint' }>;

/** A row of the tree: its element and parts, kept while its key is shown. */
interface Row {
  node: SnapshotNode;
  depth: number;
  element: HTMLElement;
  glyph: HTMLElement;
  label: HTMLElement;
  detail: HTMLElement;
}

/** The details pane while it shows one row (by key): `update` writes only what changed. */
interface DetailsView {
  key: string;
  update(node: SnapshotNode, layout: TimelineLayout): void;
}

/**
 * A field's saved value, changed by a refresh (another process renamed or described it): what
 * the user has typed and not saved stays; a field with nothing pending shows the new value.
 */
function setDefaultValue(field: HTMLInputElement | HTMLTextAreaElement, text: string): void {
  if (field.defaultValue === text) return;
  const pending = field.value !== field.defaultValue;
  field.defaultValue = text;
  if (!pending) field.value = text;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text = '',
  testId?: string,
): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  made.className = className;
  if (text) made.textContent = text;
  if (testId) made.dataset.testid = testId;
  return made;
}

function button(label: string, testId: string, title = ''): HTMLButtonElement {
  const made = element('button', '', label, testId);
  made.type = 'button';
  if (title) made.title = title;
  return made;
}

export class SnapshotManager {
  readonly element: HTMLDialogElement;
  private readonly tree: HTMLElement;
  private readonly details: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly takeForm: HTMLFormElement;
  /** The rows shown, in order; each keeps its element across refreshes (rowByKey). */
  private rows: Row[] = [];
  private readonly rowByKey = new Map<string, Row>();
  private nextRowId = 0;
  private readonly empty = element('p', 'empty', 'No generations or checkpoints yet: start the machine.');
  private focused: string | undefined;
  /** The row last scrolled into sight: a refresh scrolls only when the focus has moved. */
  private scrolledTo: string | undefined;
  /** What the details pane shows (a row's key) and how to bring it up to date in place. */
  private detailsView: DetailsView | undefined;
  private readonly folded = new Set<string>();
  /** Saved memory per checkpoint, read when the set of checkpoints changes (it costs a qemu-img run). */
  private sizes = new Map<string, number | null>();
  private sizesFor = '';
  /** The last deletion, for Ctrl+Z while its time is not up. */
  private lastDeleted: { machine: string; checkpoint: string; until: number } | undefined;

  constructor(private readonly host: SnapshotManagerHost) {
    this.element = element('dialog', 'snapshot-manager', '', 'snapshot-manager');
    this.element.setAttribute('aria-labelledby', 'snapshot-manager-title');
    this.heading = element('h3', '', 'Snapshots');
    this.heading.id = 'snapshot-manager-title';
    const take = button('Take checkpoint…', 'snapshot-take', 'A checkpoint of the machine as it is now');
    const close = button('Close', 'snapshot-close', 'Close (Escape)');
    take.addEventListener('click', () => this.openTakeForm());
    close.addEventListener('click', () => this.close());
    const top = element('div', 'snapshot-manager-top');
    top.append(this.heading, element('span', 'spacer'), take, close);
    this.takeForm = this.makeTakeForm();
    this.tree = element('div', 'snapshot-tree', '', 'snapshot-tree');
    this.tree.setAttribute('role', 'tree');
    this.tree.setAttribute('aria-label', 'Branches and checkpoints');
    this.tree.tabIndex = 0;
    this.tree.addEventListener('keydown', (event) => this.treeKey(event));
    this.details = element('div', 'snapshot-details', '', 'snapshot-details');
    const body = element('div', 'snapshot-manager-body');
    body.append(this.tree, this.details);
    this.element.append(top, this.takeForm, body);
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        this.close();
      }
    });
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  open(): void {
    if (!this.host.machine()) {
      showInfo(
        'No machine chosen',
        'Choose a machine in the machine bar: the snapshot manager shows its branches and checkpoints.',
      );
      return;
    }
    this.focused ??= 'here';
    // Shown first, so that the focused row can be scrolled into sight as it is drawn.
    if (!this.element.open) this.element.show();
    this.render();
    this.tree.focus();
  }

  close(): void {
    if (!this.element.open) return;
    this.element.close();
    this.scrolledTo = undefined;
    // Opened again (perhaps on another machine, whose checkpoint may bear the same name), the
    // details start afresh: a name typed and not saved is not carried over.
    this.details.replaceChildren();
    this.detailsView = undefined;
    this.takeForm.hidden = true;
    document.querySelector<HTMLElement>('[data-testid="snapshots-open"]')?.focus();
  }

  /** The timeline changed (a generation, an edit here or elsewhere): show it, keeping the focus. */
  refresh(): void {
    if (this.element.open) this.render();
  }

  private render(): void {
    const machine = this.host.machine();
    const layout = this.host.layout();
    this.heading.textContent = machine ? `Snapshots of ${machine}` : 'Snapshots';
    const names = layout.checkpoints.map((c) => c.name).join('\u0000');
    if (machine && `${machine}\u0000${names}` !== this.sizesFor) {
      this.sizesFor = `${machine}\u0000${names}`;
      void this.loadSizes(machine);
    }
    const all = flattenTree(snapshotTree(layout));
    // Rows under a folded branch are left out.
    const visible: typeof all = [];
    let hiddenBelow = Number.POSITIVE_INFINITY;
    for (const entry of all) {
      if (entry.depth > hiddenBelow) continue;
      hiddenBelow = Number.POSITIVE_INFINITY;
      visible.push(entry);
      if (entry.node.kind === 'branch' && this.folded.has(keyOf(entry.node))) hiddenBelow = entry.depth;
    }
    if (!visible.some(({ node }) => keyOf(node) === this.focused))
      this.focused = visible.at(-1) && keyOf(visible.at(-1)!.node);
    this.showRows(visible);
    this.showFocus();
  }

  /**
   * Brings the tree's rows to `visible` in place: a row keeps its element while its key is shown,
   * only what changed in it is written, and rows are moved only when the order changed.
   */
  private showRows(visible: readonly { node: SnapshotNode; depth: number }[]): void {
    const keys = new Set(visible.map(({ node }) => keyOf(node)));
    for (const [key, row] of this.rowByKey)
      if (!keys.has(key)) {
        row.element.remove();
        this.rowByKey.delete(key);
      }
    this.rows = visible.map(({ node, depth }) => {
      const key = keyOf(node);
      let row = this.rowByKey.get(key);
      if (!row) {
        row = this.makeRow(key);
        this.rowByKey.set(key, row);
      }
      row.node = node;
      this.updateRow(row, depth);
      return row;
    });
    if (this.rows.length === 0) {
      if (this.empty.parentNode !== this.tree) this.tree.append(this.empty);
    } else this.empty.remove();
    let at: ChildNode | null = this.tree.firstChild;
    for (const row of this.rows) {
      if (row.element === at) at = at.nextSibling;
      else this.tree.insertBefore(row.element, at);
    }
  }

  private makeRow(key: string): Row {
    const row = element('div', 'snapshot-row');
    row.id = `snapshot-row-${this.nextRowId++}`;
    row.setAttribute('role', 'treeitem');
    row.dataset.key = key;
    const glyph = element('span', 'glyph');
    glyph.setAttribute('aria-hidden', 'true');
    const label = element('span', 'label');
    const detail = element('span', 'detail');
    row.append(glyph, label, detail);
    // The row's node is looked up when the event comes: it may have been refreshed since.
    row.addEventListener('click', () => {
      this.focused = key;
      this.showFocus();
      this.tree.focus();
    });
    row.addEventListener('dblclick', () => {
      const node = this.rowByKey.get(key)?.node;
      if (node) this.activate(node);
    });
    return { node: undefined as unknown as SnapshotNode, depth: -1, element: row, glyph, label, detail };
  }

  private updateRow(row: Row, depth: number): void {
    const { node, element: el } = row;
    setAttribute(el, 'class', `snapshot-row ${node.kind}`);
    setAttribute(el, 'data-kind', node.kind);
    setAttribute(el, 'data-name', node.kind === 'checkpoint' ? node.checkpoint.name : undefined);
    setAttribute(
      el,
      'aria-expanded',
      node.kind === 'branch' && node.children.length > 0 ? String(!this.folded.has(keyOf(node))) : undefined,
    );
    if (row.depth !== depth) {
      row.depth = depth;
      el.setAttribute('aria-level', String(depth + 1));
      el.style.paddingLeft = `${8 + depth * 16}px`;
    }
    setText(row.glyph, GLYPHS[node.kind]);
    setText(row.label, node.label);
    setText(row.detail, node.detail);
  }

  /**
   * Marks the focused row and shows its details; scrolls it into sight when the focus has moved
   * to it, not on every refresh, so a tree the user scrolled stays where it is.
   */
  private showFocus(): void {
    let focusedRow: Row | undefined;
    for (const row of this.rows) {
      const on = keyOf(row.node) === this.focused;
      setAttribute(row.element, 'aria-selected', String(on));
      if (on) focusedRow = row;
    }
    if (focusedRow) {
      setAttribute(this.tree, 'aria-activedescendant', focusedRow.element.id);
      if (this.scrolledTo !== this.focused) {
        this.scrolledTo = this.focused;
        focusedRow.element.scrollIntoView({ block: 'nearest' });
      }
    } else this.tree.removeAttribute('aria-activedescendant');
    this.showDetails(focusedRow?.node);
  }

  private treeKey(event: KeyboardEvent): void {
    const at = this.rows.findIndex((r) => keyOf(r.node) === this.focused);
    const entry = this.rows[at];
    const moveTo = (index: number) => {
      const target = this.rows[Math.max(0, Math.min(this.rows.length - 1, index))];
      if (!target) return;
      this.focused = keyOf(target.node);
      // A key press always brings the focused row into sight, even one the user scrolled away.
      this.scrolledTo = undefined;
      this.showFocus();
    };
    const node = entry?.node;
    switch (event.key) {
      case 'ArrowDown':
        moveTo(at + 1);
        break;
      case 'ArrowUp':
        moveTo(at - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(this.rows.length - 1);
        break;
      case 'ArrowLeft':
        if (node?.kind === 'branch' && !this.folded.has(keyOf(node)) && node.children.length > 0) {
          this.folded.add(keyOf(node));
          this.render();
        } else {
          // To the branch it hangs on.
          for (let i = at - 1; i >= 0; i--)
            if (this.rows[i]!.depth < entry!.depth) {
              moveTo(i);
              break;
            }
        }
        break;
      case 'ArrowRight':
        if (node?.kind === 'branch' && this.folded.delete(keyOf(node))) this.render();
        else if (node?.kind === 'branch') moveTo(at + 1);
        break;
      case 'Enter':
        if (node) this.activate(node);
        break;
      case 'F2':
        if (node?.kind !== 'checkpoint') return;
        this.nameInput()?.focus();
        this.nameInput()?.select();
        break;
      case 'Delete':
        if (node?.kind !== 'checkpoint') return;
        void this.remove(node.checkpoint.name, at);
        break;
      case 'z':
        if (!(event.ctrlKey || event.metaKey)) return;
        void this.undoLast();
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  /** Enter on a row: revert to a checkpoint (behind its confirmation), or show the generation. */
  private activate(node: SnapshotNode): void {
    const layout = this.host.layout();
    if (node.kind === 'checkpoint') this.host.confirmRevert(node.index);
    else if (node.kind === 'here') this.host.select(node.index);
    else {
      let last = -1;
      for (let i = 0; i < layout.lanes.length; i++) if (layout.lanes[i] === node.lane) last = i;
      if (last >= 0) this.host.select(last);
    }
  }

  private nameInput(): HTMLInputElement | null {
    return this.details.querySelector<HTMLInputElement>('[data-testid="snapshot-name"]');
  }

  private showDetails(node: SnapshotNode | undefined): void {
    const key = node && keyOf(node);
    if (this.detailsView?.key !== key) {
      this.details.replaceChildren();
      this.detailsView = undefined;
      if (!node) return;
      this.detailsView =
        node.kind === 'checkpoint' ? this.checkpointDetails(node) : this.positionDetails(node);
    }
    if (node) this.detailsView?.update(node, this.host.layout());
  }

  /** The details of a branch or of "you are here": what it is, and a way to show it. */
  private positionDetails(first: Exclude<SnapshotNode, CheckpointNode>): DetailsView {
    let node: SnapshotNode = first;
    const heading = element('h4', '');
    const detail = element('p', '');
    const gone = element(
      'p',
      'muted',
      'None of its generations is on the store disk any more: only their records remain.',
    );
    gone.hidden = true;
    const show = button(
      first.kind === 'here' ? 'Show on the timeline' : 'Show its newest on the timeline',
      'snapshot-show',
    );
    show.addEventListener('click', () => this.activate(node));
    const actions = element('div', 'dialog-actions');
    actions.append(show);
    this.details.append(heading, detail, gone, actions);
    return {
      key: keyOf(first),
      update: (next, layout) => {
        node = next;
        setText(heading, next.label);
        setText(detail, next.detail);
        if (next.kind === 'branch') {
          const onDisk = layout.generations.some((g, i) => layout.lanes[i] === next.lane && g.onDisk);
          if (gone.hidden !== onDisk) gone.hidden = onDisk;
        }
      },
    };
  }

  /** The details of a checkpoint: its name and description to edit, what it is, its actions. */
  private checkpointDetails(first: CheckpointNode): DetailsView {
    let node = first;
    const checkpoint = first.checkpoint.name;
    const name = element('input', '', '', 'snapshot-name');
    name.setAttribute('aria-label', 'Name');
    name.maxLength = 64;
    const rename = button('Rename', 'snapshot-rename', 'Rename (Enter in the name)');
    const doRename = () => void this.rename(checkpoint, name.value.trim());
    rename.addEventListener('click', doRename);
    name.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        doRename();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        name.value = name.defaultValue;
        this.tree.focus();
      }
    });
    const description = element('textarea', '', '', 'snapshot-description');
    description.rows = 3;
    description.maxLength = 1000;
    description.placeholder = 'What this moment is (Ctrl+Enter saves)';
    description.setAttribute('aria-label', 'Description');
    const describe = button('Save description', 'snapshot-describe', 'Save the description (Ctrl+Enter)');
    const doDescribe = () => void this.describe(checkpoint, description.value.trim());
    describe.addEventListener('click', doDescribe);
    description.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        doDescribe();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        description.value = description.defaultValue;
        this.tree.focus();
      }
    });
    const nameField = element('label', 'field', 'Name');
    const nameRow = element('div', 'field-row');
    nameRow.append(name, rename);
    nameField.append(nameRow);
    const descriptionField = element('label', 'field', 'Description');
    descriptionField.append(description, describe);
    const facts = element('ul', 'facts');
    const factItems = Array.from({ length: 4 }, () => element('li', ''));
    facts.append(...factItems);
    const revert = button(
      'Revert to it…',
      'snapshot-revert',
      'Revert the machine to this checkpoint (Enter)',
    );
    revert.className = 'danger';
    revert.addEventListener('click', () => this.host.confirmRevert(node.index));
    const remove = button(
      'Delete',
      'snapshot-delete',
      'Delete the checkpoint (Delete; can be undone for a while)',
    );
    remove.addEventListener('click', () => {
      const at = this.rows.findIndex((r) => keyOf(r.node) === keyOf(node));
      void this.remove(checkpoint, at);
    });
    const actions = element('div', 'dialog-actions');
    actions.append(remove, revert);
    this.details.append(nameField, descriptionField, facts, actions);
    return {
      key: keyOf(first),
      update: (next, layout) => {
        if (next.kind !== 'checkpoint') return;
        node = next;
        setDefaultValue(name, next.checkpoint.name);
        setDefaultValue(description, next.checkpoint.description);
        this.checkpointFacts(next, layout).forEach((fact, i) => {
          setText(factItems[i]!, fact);
        });
      },
    };
  }

  /** What the details say of a checkpoint: when, what it holds, its parent, what deleting frees. */
  private checkpointFacts(node: CheckpointNode, layout: TimelineLayout): string[] {
    const { checkpoint } = node;
    const children = layout.checkpoints.filter((c) => c.parent === checkpoint.name).length;
    const size = this.sizes.get(checkpoint.name);
    const frees =
      size === undefined
        ? 'Deleting it frees what it holds in the disk image (measuring…).'
        : size === null
          ? 'Deleting it frees nothing: the hypervisor no longer has it, only its record remains.'
          : size === 0
            ? 'Deleting it frees the disk blocks only it still holds (it saved no memory).'
            : `Deleting it frees ${formatBytes(size)} of saved memory in the disk image.`;
    return [
      `Taken ${new Date(checkpoint.time).toLocaleString()}, at ${checkpointLabel(layout, checkpoint)}.`,
      checkpoint.withMemory
        ? "Holds the machine's memory and disks: a revert returns to it running."
        : 'Holds the disk of the stopped machine: a revert leaves the machine stopped there.',
      checkpoint.parent ? `Taken after checkpoint "${checkpoint.parent}".` : 'The first of its line.',
      children > 0
        ? `${frees} The ${children === 1 ? 'checkpoint' : `${children} checkpoints`} taken after it move up to ${checkpoint.parent ? `"${checkpoint.parent}"` : 'the top'}.`
        : frees,
    ];
  }

  private async loadSizes(machine: string): Promise<void> {
    try {
      const sizes = await this.host.api.call('machine.checkpointSizes', { machine });
      this.sizes = new Map(sizes.map((s) => [s.name, s.bytes]));
    } catch {
      // Sizes are a nicety: without them the details say what deleting frees in general words.
      this.sizes = new Map();
    }
    if (this.element.open) this.showFocus();
  }

  /** Runs an edit of the machine's checkpoints, says a failure, reads the timeline again. */
  private async edit(what: string, action: (machine: string) => Promise<unknown>): Promise<boolean> {
    const machine = this.host.machine();
    if (!machine) return false;
    const cause = `snapshots:${machine}:${what}`;
    try {
      await action(machine);
      clearNotifications(cause);
      await this.host.refresh();
      return true;
    } catch (err) {
      showError(`Cannot ${what} (${machine})`, err, { cause });
      return false;
    }
  }

  /**
   * Whether the user is still where an edit that took a moment was started (`from`, or nowhere:
   * the details it was started in were redrawn meanwhile), so that its end may move the focus.
   * A user who went on meanwhile (typing the description while a rename was saved, on a busy
   * host) keeps the focus where they put it: taken back to the tree, the rest of their typing
   * would land on the tree's keys (Enter there reverts).
   */
  private stillAt(from: Element | null): boolean {
    const at = document.activeElement;
    return at === from || at === null || at === document.body;
  }

  private async rename(from: string, to: string): Promise<void> {
    if (!to || to === from) return this.tree.focus();
    const startedAt = document.activeElement;
    if (
      (await this.edit('rename the checkpoint', (machine) =>
        this.host.api.call('machine.checkpointRename', { machine, checkpoint: from, name: to }),
      )) &&
      this.stillAt(startedAt)
    ) {
      this.focused = `checkpoint:${to}`;
      this.render();
      this.tree.focus();
    }
  }

  private async describe(name: string, description: string): Promise<void> {
    if (
      await this.edit('describe the checkpoint', (machine) =>
        this.host.api.call('machine.checkpointDescribe', { machine, checkpoint: name, description }),
      )
    )
      showInfo('Description saved', `Checkpoint "${name}" is described.`, { timeoutMs: 3000 });
  }

  /** Deletes at once from the tree's point of view; the host deletes once the undo time is up. */
  private async remove(name: string, at: number): Promise<void> {
    const machine = this.host.machine();
    if (!machine) return;
    const startedAt = document.activeElement;
    let answer: { freedBytes: number | null; undoMs: number } | undefined;
    await this.edit('delete the checkpoint', async () => {
      answer = await this.host.api.call('machine.checkpointDelete', { machine, checkpoint: name });
    });
    if (!answer) return;
    if (this.stillAt(startedAt)) {
      const next = this.rows[at + 1] ?? this.rows[at - 1];
      if (next && keyOf(next.node) !== `checkpoint:${name}`) this.focused = keyOf(next.node);
      this.render();
      this.tree.focus();
    }
    const { freedBytes, undoMs } = answer;
    this.lastDeleted = { machine, checkpoint: name, until: Date.now() + undoMs };
    const frees =
      freedBytes === null
        ? 'the hypervisor no longer had it'
        : freedBytes === 0
          ? 'this frees the disk blocks only it held'
          : `this frees ${formatBytes(freedBytes)} of saved memory`;
    showInfo(
      `Checkpoint "${name}" deleted`,
      `${frees[0]!.toUpperCase()}${frees.slice(1)}. Undo within ${Math.round(undoMs / 1000)} s (Ctrl+Z in the snapshot manager).`,
      {
        timeoutMs: undoMs,
        cause: `snapshots:${machine}:deleted:${name}`,
        action: { label: 'Undo', run: () => void this.restore(machine, name) },
      },
    );
  }

  private async undoLast(): Promise<void> {
    const last = this.lastDeleted;
    if (!last || Date.now() > last.until) return;
    clearNotifications(`snapshots:${last.machine}:deleted:${last.checkpoint}`);
    await this.restore(last.machine, last.checkpoint);
  }

  private async restore(machine: string, checkpoint: string): Promise<void> {
    this.lastDeleted = undefined;
    try {
      await this.host.api.call('machine.checkpointRestore', { machine, checkpoint });
    } catch (err) {
      showError(`Cannot undo the deletion of "${checkpoint}"`, err);
      return;
    }
    this.focused = `checkpoint:${checkpoint}`;
    await this.host.refresh();
  }

  private makeTakeForm(): HTMLFormElement {
    const form = element('form', 'snapshot-take-form');
    form.hidden = true;
    const name = element('input', '', '', 'snapshot-take-name');
    name.required = true;
    name.maxLength = 64;
    const description = element('textarea', '', '', 'snapshot-take-description');
    description.rows = 2;
    description.maxLength = 1000;
    const nameField = element('label', 'field', 'Name');
    nameField.append(name);
    const descriptionField = element('label', 'field', 'Description (optional)');
    descriptionField.append(description);
    const ok = button('Take', 'snapshot-take-ok');
    ok.type = 'submit';
    ok.className = 'primary';
    const cancel = button('Cancel', 'snapshot-take-cancel');
    cancel.addEventListener('click', () => {
      form.hidden = true;
      this.tree.focus();
    });
    const actions = element('div', 'dialog-actions');
    actions.append(cancel, ok);
    form.append(nameField, descriptionField, actions);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      form.hidden = true;
      const checkpoint = name.value.trim();
      void this.edit('take a checkpoint', (machine) =>
        this.host.api.call('machine.checkpoint', {
          machine,
          name: checkpoint,
          description: description.value.trim(),
        }),
      ).then((done) => {
        if (!done) return;
        this.focused = `checkpoint:${checkpoint}`;
        this.render();
        this.tree.focus();
      });
    });
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        form.hidden = true;
        this.tree.focus();
      }
    });
    return form;
  }

  private openTakeForm(): void {
    const name = this.takeForm.querySelector<HTMLInputElement>('input')!;
    name.value = suggestedCheckpointName();
    this.takeForm.querySelector('textarea')!.value = '';
    this.takeForm.hidden = false;
    name.select();
    name.focus();
  }
}
