/**
 * Every action of the studio, defined once: its id, what the command palette and the help page
 * call it, where it applies and its keys. The renderer binds each id to what it does
 * (renderer/commands.ts), routes keys here (`commandForKey`) and lists these in the palette
 * (`rankCommands`) and on the help page. Pure: keys are matched on plain key-event fields.
 */

/** Where a command's keys work: anywhere, or only while that part of the studio has the focus. */
export type CommandScope = 'global' | 'editor' | 'console';

export interface CommandSpec {
  id: string;
  /** What the palette and the help page show, e.g. "Console: Copy". */
  title: string;
  category: 'Studio' | 'Go to' | 'Machine' | 'Editor' | 'Debug' | 'Console' | 'Inspector';
  /** Keys, as people write them: "Ctrl+Shift+P", "F6", "Shift+F1"; the first is the one shown. */
  keys?: readonly string[];
  scope?: CommandScope;
}

export const COMMANDS: readonly CommandSpec[] = [
  { id: 'palette.show', title: 'Show all commands', category: 'Studio', keys: ['Ctrl+Shift+P', 'F1'] },
  {
    id: 'help.show',
    title: 'Help: keyboard shortcuts and how things work',
    category: 'Studio',
    keys: ['Shift+F1'],
  },
  { id: 'focus.next', title: 'Focus the next part', category: 'Go to', keys: ['F6'] },
  { id: 'focus.previous', title: 'Focus the previous part', category: 'Go to', keys: ['Shift+F6'] },
  { id: 'focus.machineBar', title: 'Go to the machine bar', category: 'Go to', keys: ['Ctrl+Alt+M'] },
  { id: 'focus.explorer', title: 'Go to the explorer', category: 'Go to', keys: ['Ctrl+Shift+E'] },
  { id: 'focus.editor', title: 'Go to the editor', category: 'Go to', keys: ['Ctrl+1'] },
  {
    id: 'focus.debug',
    title: 'Go to the debugger (Run and debug)',
    category: 'Go to',
    keys: ['Ctrl+Shift+D'],
  },
  { id: 'focus.inspector', title: 'Go to the inspector', category: 'Go to', keys: ['Ctrl+Alt+I'] },
  { id: 'focus.console', title: 'Go to the console', category: 'Go to', keys: ['Ctrl+`'] },
  { id: 'focus.timeline', title: 'Go to the timeline', category: 'Go to', keys: ['Ctrl+Alt+L'] },
  { id: 'machine.new', title: 'Machine: New machine…', category: 'Machine' },
  { id: 'machine.build', title: 'Machine: Build', category: 'Machine' },
  { id: 'machine.start', title: 'Machine: Start', category: 'Machine' },
  { id: 'machine.stop', title: 'Machine: Stop', category: 'Machine' },
  { id: 'machine.powerCut', title: 'Machine: Power cut', category: 'Machine' },
  { id: 'machine.snapshotNow', title: 'Machine: Snapshot now', category: 'Machine' },
  { id: 'machine.checkpoint', title: 'Machine: Checkpoint…', category: 'Machine' },
  { id: 'editor.save', title: 'Editor: Save', category: 'Editor', keys: ['Ctrl+S'], scope: 'editor' },
  {
    id: 'editor.install',
    title: 'Editor: Install into machine',
    category: 'Editor',
    keys: ['Ctrl+Shift+B'],
    scope: 'editor',
  },
  {
    id: 'editor.installAndRun',
    title: 'Editor: Install and run',
    category: 'Editor',
    // VS Code's "Run without debugging"; F5 is the debugger's, as there.
    keys: ['Ctrl+F5'],
    scope: 'editor',
  },
  {
    id: 'editor.toggleTabFocus',
    title: 'Editor: Toggle Tab key moves focus (instead of inserting a tab)',
    category: 'Editor',
    keys: ['Ctrl+M'],
    scope: 'editor',
  },
  // The debugger's keys are VS Code's, and work wherever the focus is.
  {
    id: 'debug.continue',
    title: 'Debug: Start debugging (attach) / Continue',
    category: 'Debug',
    keys: ['F5'],
  },
  { id: 'debug.pause', title: 'Debug: Pause', category: 'Debug' },
  { id: 'debug.stepOver', title: 'Debug: Step over', category: 'Debug', keys: ['F10'] },
  { id: 'debug.stepInto', title: 'Debug: Step into', category: 'Debug', keys: ['F11'] },
  { id: 'debug.stepOut', title: 'Debug: Step out', category: 'Debug', keys: ['Shift+F11'] },
  { id: 'debug.stop', title: 'Debug: Stop debugging / End replay', category: 'Debug', keys: ['Shift+F5'] },
  // VS Code binds no keys to these; here they are Alt with the forward key they undo.
  { id: 'debug.stepBack', title: 'Debug: Step back (replay)', category: 'Debug', keys: ['Alt+F10'] },
  {
    id: 'debug.reverseContinue',
    title: 'Debug: Reverse continue (replay)',
    category: 'Debug',
    keys: ['Alt+F5'],
  },
  {
    id: 'debug.replay',
    title: "Debug: Replay the timeline's selected generation (steps back too)",
    category: 'Debug',
  },
  { id: 'debug.endReplay', title: 'Debug: End replay (back to the live machine)', category: 'Debug' },
  {
    id: 'debug.continueMachineFromHere',
    title: "Debug: Continue the machine from the replay's state (a new branch)",
    category: 'Debug',
  },
  {
    id: 'debug.toggleBreakpoint',
    title: 'Debug: Toggle breakpoint on this line',
    category: 'Debug',
    keys: ['F9'],
    scope: 'editor',
  },
  {
    id: 'debug.editBreakpoint',
    title: "Debug: This line's breakpoint (condition, hit count, logpoint, disable)…",
    category: 'Debug',
    scope: 'editor',
  },
  { id: 'console.find', title: 'Console: Find', category: 'Console', keys: ['Ctrl+F'], scope: 'console' },
  {
    id: 'console.copy',
    title: 'Console: Copy',
    category: 'Console',
    keys: ['Ctrl+Shift+C'],
    scope: 'console',
  },
  { id: 'console.copyAll', title: 'Console: Copy all', category: 'Console' },
  {
    id: 'console.selectAll',
    title: 'Console: Select all',
    category: 'Console',
    keys: ['Ctrl+Shift+A'],
    scope: 'console',
  },
  {
    id: 'console.paste',
    title: 'Console: Paste',
    category: 'Console',
    keys: ['Ctrl+Shift+V'],
    scope: 'console',
  },
  {
    id: 'console.filter',
    title: 'Console: Hide lines containing…',
    category: 'Console',
    keys: ['Ctrl+Shift+H'],
    scope: 'console',
  },
  { id: 'console.log', title: "Console: Show the machine's whole log", category: 'Console' },
  {
    id: 'console.menu',
    title: 'Console: Open the menu',
    category: 'Console',
    keys: ['Shift+F10'],
    scope: 'console',
  },
  { id: 'console.clear', title: 'Console: Clear the view', category: 'Console' },
  {
    id: 'console.newTerminal',
    title: 'Console: New terminal on the host',
    category: 'Console',
    keys: ['Ctrl+Shift+`'],
  },
  { id: 'inspector.search', title: 'Inspector: Search objects', category: 'Inspector', keys: ['Ctrl+Alt+F'] },
  { id: 'inspector.now', title: 'Inspector: Read the machine now (pauses it)', category: 'Inspector' },
  { id: 'inspector.follow', title: 'Inspector: Follow the machine / pin the view', category: 'Inspector' },
  { id: 'inspector.expand', title: 'Inspector: Widen over the editor / narrow', category: 'Inspector' },
  { id: 'inspector.memory', title: 'Inspector: Memory and the garbage collector', category: 'Inspector' },
];

/** A key chord as a key event reports it. */
export interface KeyChord {
  key: string;
  ctrl: boolean;
  shift: boolean;
  alt: boolean;
}

/** The fields of a KeyboardEvent that decide a match (so tests need no DOM). */
export interface KeyEventLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** "Ctrl+Shift+P" → its chord; the key part is case-insensitive. */
export function parseKeys(text: string): KeyChord {
  const parts = text.split('+');
  // "Ctrl++" names the plus key: the last part is the key even when empty.
  const key = parts.pop() || '+';
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  return { key: key.toLowerCase(), ctrl: mods.has('ctrl'), shift: mods.has('shift'), alt: mods.has('alt') };
}

/** Keys that shift changes on a US layout, by their code: matched by position, not by character. */
const CODE_KEYS: Record<string, string> = { Backquote: '`', Digit1: '1' };

/** Whether the event is the chord written as `text` (Cmd counts as Ctrl, as in VS Code on a Mac). */
export function matchesKeys(text: string, event: KeyEventLike): boolean {
  const chord = parseKeys(text);
  const key = (event.code && CODE_KEYS[event.code]) || event.key.toLowerCase();
  return (
    key === chord.key &&
    (event.ctrlKey || event.metaKey) === chord.ctrl &&
    event.shiftKey === chord.shift &&
    event.altKey === chord.alt
  );
}

/** The command the studio routes for this key where the focus is (`scope`), if any. */
export function commandForKey(
  event: KeyEventLike,
  scope: CommandScope,
  commands: readonly CommandSpec[] = COMMANDS,
): CommandSpec | undefined {
  return commands.find(
    (c) =>
      ((c.scope ?? 'global') === 'global' || c.scope === scope) &&
      (c.keys ?? []).some((k) => matchesKeys(k, event)),
  );
}

/**
 * The commands matching what was typed in the palette, best first: every typed character in
 * order in the title (as VS Code's palette matches), ranked by how early and how closely
 * together they fall, and at the start of words. An empty query lists them all, in order.
 */
export function rankCommands(query: string, commands: readonly CommandSpec[] = COMMANDS): CommandSpec[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...commands];
  const scored: { command: CommandSpec; score: number; index: number }[] = [];
  commands.forEach((command, index) => {
    const score = matchScore(q, command.title.toLowerCase());
    if (score !== undefined) scored.push({ command, score, index });
  });
  return scored.sort((a, b) => a.score - b.score || a.index - b.index).map((s) => s.command);
}

/** Lower is better; undefined when `query`'s characters are not all in `title`, in order. */
function matchScore(query: string, title: string): number | undefined {
  const whole = title.indexOf(query);
  if (whole >= 0) return whole === 0 || title[whole - 1] === ' ' ? whole / 100 : 1 + whole / 100;
  let score = 10;
  let at = -1;
  for (const ch of query) {
    if (ch === ' ') continue;
    const next = title.indexOf(ch, at + 1);
    if (next < 0) return undefined;
    const wordStart = next === 0 || /[\s:.(/]/.test(title[next - 1]!);
    score += wordStart ? 0 : next - at - 1;
    at = next;
  }
  return score;
}
