/**
 * The studio's commands at run time: what each command of common/commands.ts does, and the one
 * key handler that routes keys to them. The handler listens on the window in the capture phase,
 * before Monaco and xterm.js see a key, and takes only the chords a command claims for the part
 * that has the focus; every other key goes where it was going.
 */
import { COMMANDS, type CommandScope, type CommandSpec, commandForKey } from '../common/commands.js';
import { showError } from './notifications.js';

export interface CommandHandler {
  run(): unknown;
  /** Why it cannot run now (the palette shows it greyed with the reason); undefined: it can. */
  unavailable?(): string | undefined;
}

/** A command as the palette and the help page list it. */
export interface CommandEntry extends CommandSpec {
  unavailable: string | undefined;
}

export class Commands {
  private readonly handlers = new Map<string, CommandHandler>();

  constructor(private readonly specs: readonly CommandSpec[] = COMMANDS) {}

  register(id: string, handler: CommandHandler): void {
    if (!this.specs.some((s) => s.id === id)) throw new Error(`no command ${id} in common/commands.ts`);
    this.handlers.set(id, handler);
  }

  /** Every command, with whether it can run now; ones nothing handles yet say so. */
  entries(): CommandEntry[] {
    return this.specs.map((spec) => {
      const handler = this.handlers.get(spec.id);
      return {
        ...spec,
        unavailable: handler ? handler.unavailable?.() : 'not ready yet: the studio is still loading',
      };
    });
  }

  run(id: string): void {
    const handler = this.handlers.get(id);
    const spec = this.specs.find((s) => s.id === id);
    const why = handler ? handler.unavailable?.() : 'the studio is still loading';
    if (!handler || why) {
      showError(`${spec?.title ?? id} cannot run now`, new Error(why ?? 'unavailable'));
      return;
    }
    Promise.resolve()
      .then(() => handler.run())
      .catch((err) => showError(`${spec?.title ?? id} failed`, err));
  }

  /** Routes keys to commands from now on. */
  listen(target: Window = window): void {
    target.addEventListener(
      'keydown',
      (event) => {
        if (event.defaultPrevented || event.isComposing) return;
        const command = commandForKey(event, scopeOf(document.activeElement));
        if (!command) return;
        event.preventDefault();
        event.stopPropagation();
        this.run(command.id);
      },
      true,
    );
  }
}

/** Which part's keys apply: the editor's and the console's own, or only the studio's. */
function scopeOf(element: Element | null): CommandScope {
  const panel = element?.closest<HTMLElement>('[data-panel]')?.dataset.panel;
  return panel === 'editor' || panel === 'console' ? panel : 'global';
}
