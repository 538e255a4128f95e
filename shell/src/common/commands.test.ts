import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  COMMANDS,
  commandForKey,
  type KeyEventLike,
  matchesKeys,
  parseKeys,
  rankCommands,
} from './commands.js';

const key = (k: string, mods: Partial<KeyEventLike> = {}): KeyEventLike => ({
  key: k,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

test('keys are parsed as people write them', () => {
  assert.deepEqual(parseKeys('Ctrl+Shift+P'), { key: 'p', ctrl: true, shift: true, alt: false });
  assert.deepEqual(parseKeys('F6'), { key: 'f6', ctrl: false, shift: false, alt: false });
  assert.deepEqual(parseKeys('Ctrl++'), { key: '+', ctrl: true, shift: false, alt: false });
});

test('a chord matches only with exactly its modifiers; Cmd counts as Ctrl', () => {
  assert.ok(matchesKeys('Ctrl+Shift+P', key('P', { ctrlKey: true, shiftKey: true })));
  assert.ok(matchesKeys('Ctrl+Shift+P', key('P', { metaKey: true, shiftKey: true })));
  assert.ok(!matchesKeys('Ctrl+Shift+P', key('P', { ctrlKey: true })));
  assert.ok(!matchesKeys('F6', key('F6', { shiftKey: true })));
  assert.ok(matchesKeys('Shift+F6', key('F6', { shiftKey: true })));
  // Ctrl+` by position: with shift the key reads "~", the code stays Backquote.
  assert.ok(matchesKeys('Ctrl+Shift+`', key('~', { code: 'Backquote', ctrlKey: true, shiftKey: true })));
});

test('keys route to the command of the part that has the focus', () => {
  const ctrlF = key('f', { ctrlKey: true });
  assert.equal(commandForKey(ctrlF, 'console')?.id, 'console.find');
  assert.equal(commandForKey(ctrlF, 'editor'), undefined, "the editor's own find stays the editor's");
  assert.equal(commandForKey(key('F1'), 'editor')?.id, 'palette.show');
  assert.equal(commandForKey(key('s', { ctrlKey: true }), 'editor')?.id, 'editor.save');
  assert.equal(commandForKey(key('m', { ctrlKey: true }), 'editor')?.id, 'editor.toggleTabFocus');
  assert.equal(commandForKey(key('m', { ctrlKey: true }), 'global'), undefined, 'only in the editor');
});

test('every command has a unique id, and no key is bound twice in one place', () => {
  assert.equal(new Set(COMMANDS.map((c) => c.id)).size, COMMANDS.length);
  const seen = new Map<string, string>();
  for (const c of COMMANDS)
    for (const k of c.keys ?? []) {
      const chord = JSON.stringify(parseKeys(k));
      for (const scope of c.scope === undefined || c.scope === 'global'
        ? ['editor', 'console', 'global']
        : [c.scope]) {
        const where = `${scope} ${chord}`;
        assert.ok(!seen.has(where), `${k} is bound to ${seen.get(where)} and ${c.id} (${scope})`);
        seen.set(where, c.id);
      }
    }
});

test('the palette ranks by the typed characters in order, word starts and whole words first', () => {
  assert.equal(rankCommands('').length, COMMANDS.length);
  assert.equal(rankCommands('copy')[0]?.id, 'console.copy');
  assert.equal(rankCommands('new mach')[0]?.id, 'machine.new');
  assert.equal(rankCommands('pwrct')[0]?.id, 'machine.powerCut');
  assert.deepEqual(rankCommands('zzzz'), []);
});
