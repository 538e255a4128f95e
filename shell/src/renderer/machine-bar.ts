/**
 * The machine bar: pick a machine (or create one from an image in images/), build, start, stop,
 * cut its power (after a confirmation: one stray click must not do it), ask for a snapshot (and
 * say which generation it made), take a checkpoint (a name and a description), with progress
 * bars for build, boot, checkpoint and rollback. The list follows the machines folder: a machine
 * the CLI makes, starts or removes shows at once. The console and the timeline follow the
 * picked machine.
 */
import type { EventData, ImageSummary, MachineState, MachineSummary } from '../common/api.js';
import { suggestedCheckpointName } from '../common/snapshot-tree.js';
import type { ApiClient } from './api-client.js';
import { clearNotifications, showError, showInfo } from './notifications.js';

type Action = 'build' | 'start' | 'stop' | 'powerCut' | 'snapshotNow' | 'checkpoint';

/** In which states each action makes sense. */
const allowed: Record<Action, readonly MachineState[]> = {
  build: ['stopped', 'crashed'],
  start: ['stopped', 'crashed'],
  stop: ['running', 'paused'],
  powerCut: ['running', 'paused', 'starting', 'stopping'],
  snapshotNow: ['running'],
  // A stopped machine's checkpoint is its disk.
  checkpoint: ['running', 'paused', 'stopped', 'crashed'],
};

/** What a notification about `action` on `machine` is tied to: it goes once the action succeeds. */
function actionCause(machine: string, action: Action): string {
  return `machine:${machine}:${action}`;
}

/** What a crash notification is tied to: it goes once the machine runs again. */
function crashCause(machine: string): string {
  return `machine:${machine}:crashed`;
}

/** What the "New machine…" and "Take a checkpoint" forms answer. */
interface Answer {
  name: string;
  image?: string;
  description?: string;
}

const NEW_MACHINE = '\u0000new';
/** The image a new machine boots unless another is chosen: the README's first example. */
const DEFAULT_IMAGE = 'counter';

export interface MachineBarListener {
  /** The picked machine changed (undefined: none). */
  onPick(machine: MachineSummary | undefined): void;
  /** The picked machine's state changed. */
  onState(machine: MachineSummary): void;
}

export class MachineBar {
  private machines: MachineSummary[] = [];
  private picked: string | undefined;
  private readonly picker: HTMLSelectElement;
  private readonly stateLabel: HTMLElement;
  private readonly buttons = new Map<Action, HTMLButtonElement>();
  private readonly progress: HTMLElement;
  private readonly dialog: HTMLDialogElement;
  private readonly busy = new Set<Action>();

  constructor(
    root: HTMLElement,
    private readonly api: ApiClient,
    private readonly listener: MachineBarListener,
  ) {
    this.picker = root.querySelector<HTMLSelectElement>('[data-testid="machine-picker"]')!;
    this.picker.addEventListener('change', () => void this.pickerChanged());
    this.stateLabel = document.createElement('span');
    this.stateLabel.className = 'machine-state';
    this.stateLabel.dataset.testid = 'machine-state';
    this.picker.parentElement!.after(this.stateLabel);
    const nav = root.querySelector<HTMLElement>('.actions')!;
    for (const button of nav.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
      const action = button.dataset.action as Action;
      this.buttons.set(action, button);
      button.addEventListener('click', () => void this.run(action));
    }
    this.progress = document.createElement('div');
    this.progress.className = 'progress-area';
    this.progress.dataset.testid = 'progress';
    nav.after(this.progress);
    this.dialog = document.createElement('dialog');
    this.dialog.className = 'confirm-dialog';
    root.append(this.dialog);
    api.on('machine.state', (change) => this.stateChanged(change));
    api.on('operation.progress', (progress) => this.showProgress(progress));
    // Made or removed elsewhere (the CLI): read the list again; the picked machine stays picked.
    api.on('machines.changed', () => void this.refresh());
  }

  get current(): MachineSummary | undefined {
    return this.machines.find((m) => m.name === this.picked);
  }

  async refresh(): Promise<void> {
    try {
      this.machines = await this.api.call('machines.list', {});
    } catch (err) {
      showError('Cannot list the machines', err);
      this.machines = [];
    }
    if (!this.machines.some((m) => m.name === this.picked)) this.picked = this.machines[0]?.name;
    this.renderPicker();
    this.listener.onPick(this.current);
  }

  private renderPicker(): void {
    this.picker.replaceChildren();
    for (const machine of this.machines) {
      const option = document.createElement('option');
      option.value = machine.name;
      const madeFrom = machine.image ?? machine.program;
      option.textContent = madeFrom ? `${machine.name} — ${madeFrom}` : machine.name;
      this.picker.append(option);
    }
    if (this.machines.length === 0) {
      const none = document.createElement('option');
      none.value = '';
      none.textContent = 'no machines yet';
      none.disabled = true;
      this.picker.append(none);
    }
    const create = document.createElement('option');
    create.value = NEW_MACHINE;
    create.textContent = 'New machine…';
    this.picker.append(create);
    this.picker.disabled = false;
    this.picker.value = this.picked ?? '';
    this.renderState();
  }

  private renderState(): void {
    const machine = this.current;
    this.stateLabel.dataset.state = machine?.state ?? 'none';
    this.stateLabel.textContent = machine ? machine.state : '';
    this.stateLabel.title = machine?.reason ?? '';
    for (const [action, button] of this.buttons)
      button.disabled = !machine || this.busy.has(action) || !allowed[action].includes(machine.state);
  }

  private async pickerChanged(): Promise<void> {
    if (this.picker.value === NEW_MACHINE) {
      this.picker.value = this.picked ?? '';
      await this.createMachine();
      return;
    }
    this.picked = this.picker.value || undefined;
    this.renderState();
    this.listener.onPick(this.current);
  }

  private stateChanged(change: EventData<'machine.state'>): void {
    const machine = this.machines.find((m) => m.name === change.machine);
    if (!machine) {
      void this.refresh();
      return;
    }
    const was = machine.state;
    machine.state = change.state;
    if (change.detail) machine.reason = change.detail;
    else delete machine.reason;
    // A crash is news wherever the user looks: why, in the hypervisor's and the kernel's last words.
    if (change.state === 'crashed' && was !== 'crashed')
      showError(
        `Machine '${machine.name}' crashed`,
        new Error(change.detail ?? 'the hypervisor gave no reason'),
        { cause: crashCause(machine.name) },
      );
    if (change.state === 'starting' || change.state === 'running')
      clearNotifications(crashCause(machine.name));
    if (machine.name === this.picked) {
      this.renderState();
      this.listener.onState(machine);
    }
  }

  private async run(action: Action): Promise<void> {
    const machine = this.picked;
    if (!machine) return;
    this.busy.add(action);
    this.renderState();
    try {
      if (action === 'checkpoint') {
        const answer = await this.ask('Take a checkpoint', 'Name', suggestedCheckpointName(), {
          description: true,
        });
        if (!answer) return;
        await this.api.call('machine.checkpoint', {
          machine,
          name: answer.name,
          description: answer.description ?? '',
        });
      } else if (action === 'build') await this.api.call('machine.build', { machine });
      else if (action === 'start') await this.api.call('machine.start', { machine });
      else if (action === 'stop') await this.api.call('machine.stop', { machine });
      else if (action === 'powerCut') {
        if (!(await this.confirmPowerCut(machine))) return;
        await this.api.call('machine.powerCut', { machine });
      } else {
        const { generation } = await this.api.call('machine.snapshotNow', { machine });
        showInfo('Snapshot taken', `${machine} committed generation ${generation} to its store disk.`);
      }
      clearNotifications(actionCause(machine, action));
    } catch (err) {
      const what = this.buttons.get(action)?.querySelector('.label')?.textContent ?? action;
      showError(`${what} failed for ${machine}`, err, { cause: actionCause(machine, action) });
      // A refusal may come from a state this page has wrong (changed elsewhere): read it again.
      await this.refresh();
    } finally {
      this.busy.delete(action);
      this.renderState();
    }
  }

  /**
   * Asks before a power cut, saying what it costs; resolves to whether to go on. Cancel has the
   * focus, so Enter on a stray press keeps the power on.
   */
  private confirmPowerCut(machine: string): Promise<boolean> {
    return new Promise((resolve) => {
      const heading = document.createElement('h3');
      heading.textContent = `Cut the power of ${machine}?`;
      const list = document.createElement('ul');
      for (const line of [
        'Like pulling the plug: the machine stops at once, without a clean shutdown.',
        'When started again, the kernel resumes from its last committed generation; what it did since (at most one snapshot interval, a second by default, and the generation being written) is lost.',
        'Stop shuts it down cleanly instead.',
      ]) {
        const item = document.createElement('li');
        item.textContent = line;
        list.append(item);
      }
      const actions = document.createElement('div');
      actions.className = 'dialog-actions';
      const cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.textContent = 'Cancel';
      cancel.dataset.testid = 'power-cut-cancel';
      const confirm = document.createElement('button');
      confirm.type = 'button';
      confirm.className = 'danger';
      confirm.textContent = 'Cut the power';
      confirm.dataset.testid = 'power-cut-confirm';
      actions.append(cancel, confirm);
      let answer = false;
      cancel.addEventListener('click', () => this.dialog.close());
      confirm.addEventListener('click', () => {
        answer = true;
        this.dialog.close();
      });
      this.dialog.dataset.testid = 'power-cut-dialog';
      this.dialog.replaceChildren(heading, list, actions);
      this.dialog.addEventListener(
        'close',
        () => {
          delete this.dialog.dataset.testid;
          resolve(answer);
        },
        { once: true },
      );
      this.dialog.showModal();
      cancel.focus();
    });
  }

  private async createMachine(): Promise<void> {
    let images: ImageSummary[] = [];
    try {
      images = await this.api.call('images.list', {});
    } catch (err) {
      showError('Cannot list the images', err);
    }
    const answer = await this.ask('New machine', 'Name', 'demo', { images });
    if (!answer) return;
    const { name, image } = answer;
    try {
      const created = await this.api.call('machines.create', {
        machine: name,
        ...(image ? { image } : {}),
      });
      this.picked = created.name;
      await this.refresh();
    } catch (err) {
      showError(`Cannot create the machine ${name}`, err);
    }
  }

  /**
   * A small modal form: a name, and an image when images are offered (one whose definition has a
   * problem is shown, disabled, with the problem as its tooltip), or a description when asked
   * for. Resolves to undefined on cancel.
   */
  private ask(
    title: string,
    label: string,
    initial: string,
    { images, description }: { images?: ImageSummary[]; description?: boolean },
  ): Promise<Answer | undefined> {
    return new Promise((resolve) => {
      const form = document.createElement('form');
      form.method = 'dialog';
      const heading = document.createElement('h3');
      heading.textContent = title;
      const field = document.createElement('label');
      field.className = 'field';
      field.textContent = label;
      const input = document.createElement('input');
      input.value = initial;
      input.required = true;
      input.dataset.testid = 'dialog-name';
      field.append(input);
      form.append(heading, field);
      let select: HTMLSelectElement | undefined;
      if (images) {
        const imageField = document.createElement('label');
        imageField.className = 'field';
        imageField.textContent = 'Image';
        select = document.createElement('select');
        select.dataset.testid = 'dialog-image';
        const about = document.createElement('p');
        about.className = 'field-note';
        about.dataset.testid = 'dialog-image-description';
        for (const image of images) {
          const option = document.createElement('option');
          option.value = image.name;
          option.textContent = image.problem ? `${image.name} (cannot be used)` : image.name;
          option.title = image.problem ?? `${image.description}\nprograms: ${image.programs.join(', ')}`;
          option.disabled = image.problem !== undefined;
          select.append(option);
        }
        const usable = images.filter((image) => !image.problem).map((image) => image.name);
        select.value = usable.includes(DEFAULT_IMAGE) ? DEFAULT_IMAGE : (usable[0] ?? '');
        const describe = () => {
          about.textContent = images.find((image) => image.name === select!.value)?.description ?? '';
        };
        select.addEventListener('change', describe);
        describe();
        imageField.append(select);
        form.append(imageField, about);
      }
      let about: HTMLTextAreaElement | undefined;
      if (description) {
        const field = document.createElement('label');
        field.className = 'field';
        field.textContent = 'Description (optional)';
        about = document.createElement('textarea');
        about.rows = 3;
        about.maxLength = 1000;
        about.dataset.testid = 'dialog-description';
        field.append(about);
        form.append(field);
      }
      const actions = document.createElement('div');
      actions.className = 'dialog-actions';
      const cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.textContent = 'Cancel';
      const ok = document.createElement('button');
      ok.type = 'submit';
      ok.className = 'primary';
      ok.textContent = 'OK';
      ok.dataset.testid = 'dialog-ok';
      actions.append(cancel, ok);
      form.append(actions);
      this.dialog.replaceChildren(form);
      let answer: Answer | undefined;
      cancel.addEventListener('click', () => this.dialog.close());
      form.addEventListener('submit', () => {
        answer = {
          name: input.value.trim(),
          ...(select ? { image: select.value } : {}),
          ...(about ? { description: about.value.trim() } : {}),
        };
      });
      this.dialog.addEventListener('close', () => resolve(answer), { once: true });
      this.dialog.showModal();
      input.select();
    });
  }

  private showProgress(progress: EventData<'operation.progress'>): void {
    if (progress.machine !== this.picked) return;
    const id = `progress-${progress.operation}`;
    let row = this.progress.querySelector<HTMLElement>(`#${id}`);
    if (!row) {
      row = document.createElement('div');
      row.id = id;
      row.className = 'progress';
      row.dataset.operation = progress.operation;
      const label = document.createElement('span');
      label.className = 'progress-label';
      row.append(label, document.createElement('progress'));
      this.progress.append(row);
    }
    const [label, bar] = row.children as unknown as [HTMLElement, HTMLProgressElement];
    label.textContent = `${progress.operation}: ${progress.step}`;
    // A narrow bar cuts the text short with an ellipsis; the whole of it stays one hover away.
    label.title = label.textContent;
    bar.max = 100;
    if (progress.percent === null) bar.removeAttribute('value');
    else bar.value = progress.percent;
    row.dataset.done = String(progress.done);
    if (progress.done) {
      const finished = row;
      setTimeout(() => {
        if (finished.dataset.done === 'true') finished.remove();
      }, 4000);
    }
  }
}
