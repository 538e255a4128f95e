// The editor's features over the compiler's analysis: member and scope completion, hover with the
// system classes' documentation, references and rename across a program's files (classes with
// their constructors, methods with their overrides), refusals, the outline, and doc comments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DocumentAnalysis, leadingComment } from './language-service.js';

/** A program with `line` as the last statement of `show`, which is line 17. */
function program(line: string): string {
  return `package .demo;
import .internal.io.tty;

// A shape with a name.
class shape {
  var name : string;
  shape(var n : string) { name = n; }
  int area() { return 0; }
};

class square extends shape {
  var side : int;
  square(var s : int) { super("square"); side = s; }
  int area() { return side * side; }
  void show(var times : int) {
    var label = name + ": ";
    ${line}
  }
  static void make() {
    var made = new square(2);
  }
};
`;
}

/** The completion labels at the end of `line` placed in show(). */
function completeAfter(line: string): string[] {
  return new DocumentAnalysis('shapes.ph', program(line))
    .completions(17, 5 + line.length)
    .map((e) => e.label);
}

/** 1-based line and column just after the first occurrence of `needle` in `text` (or `back` columns before that). */
function after(text: string, needle: string, back = 0): [number, number] {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `no ${needle}`);
  return [line + 1, lines[line]!.indexOf(needle) + needle.length + 1 - back];
}

test('member completion offers what the receiver has, by its type', () => {
  assert.deepEqual(completeAfter('tty.'), ['print', 'println'], 'a class name: its static methods');
  const stringMembers = completeAfter('label.');
  for (const m of ['length', 'charAt', 'substring', 'equals', 'className', 'fromChar'])
    assert.ok(stringMembers.includes(m), m);
  assert.ok(!stringMembers.includes('println'));
  assert.deepEqual(completeAfter('tty.pr'), ['print', 'println'], 'a prefix being typed keeps the receiver');
  assert.deepEqual(completeAfter('this.'), ['name', 'side', 'className', 'area', 'show', 'make']);
  assert.deepEqual(completeAfter('super.'), ['className', 'area']);
  assert.deepEqual(completeAfter('new string[3].'), ['length', 'className']);
  assert.ok(completeAfter('label.substring(0, 2).').includes('indexOf'), 'the type of a call');
  assert.deepEqual(completeAfter('times.'), [], 'an int has no members');
});

test("members of the receiver's own class sort before inherited ones", () => {
  const entries = new DocumentAnalysis('shapes.ph', program('this.')).completions(17, 10);
  const sorted = [...entries].sort((a, b) => a.sortText.localeCompare(b.sortText)).map((e) => e.label);
  assert.ok(sorted.indexOf('side') < sorted.indexOf('name'));
  assert.ok(sorted.indexOf('area') < sorted.indexOf('className'));
  const area = entries.find((e) => e.label === 'area');
  assert.equal(area?.detail, 'int area() — .demo.square');
});

test('a full name completes part by part', () => {
  const text = 'package .demo;\nimport .internal.\n';
  const entries = new DocumentAnalysis('a.ph', text).completions(2, 18);
  const io = entries.find((e) => e.label === 'io');
  assert.equal(io?.kind, 'package');
  assert.equal(entries.find((e) => e.label === 'directory')?.kind, 'class');
  const deeper = new DocumentAnalysis('a.ph', 'import .internal.io.\n').completions(1, 21);
  assert.deepEqual(
    deeper.map((e) => e.label),
    ['tty'],
  );
});

test('elsewhere completion offers the locals in scope, the members of this class, classes and keywords', () => {
  const labels = completeAfter('');
  for (const name of ['label', 'times', 'name', 'side', 'area', 'show', 'make', 'tty', 'shape', 'while'])
    assert.ok(labels.includes(name), name);
  assert.ok(!labels.includes('made'), "another method's local is not in scope");
  assert.ok(!labels.includes('n'), "another method's parameter is not in scope");
  const text = program('');
  const inStatic = new DocumentAnalysis('shapes.ph', text).completions(...after(text, 'var made = '));
  const names = inStatic.map((e) => e.label);
  assert.ok(
    names.includes('make') && !names.includes('side') && !names.includes('area'),
    'a static method has no this',
  );
  assert.ok(!names.includes('made'), 'a local is not in scope in its own initial value');
  const directory = new DocumentAnalysis('shapes.ph', text)
    .completions(17, 5)
    .find((e) => e.label === 'directory');
  assert.equal(
    directory?.insertText,
    '.internal.directory',
    'a class not imported is inserted by its full name',
  );
  const atClassLevel = new DocumentAnalysis('shapes.ph', text).completions(12, 3).map((e) => e.label);
  assert.ok(
    atClassLevel.includes('var') && atClassLevel.includes('static') && !atClassLevel.includes('while'),
  );
});

test('hover shows the declaration and the documentation of system classes and of comments', () => {
  const text = program('tty.println(label);');
  const doc = new DocumentAnalysis('shapes.ph', text);
  const println = doc.hover(...after(text, 'tty.print'));
  assert.equal(println?.code, 'static native void println(text : string)');
  assert.match(println?.documentation ?? '', /method of `\.internal\.io\.tty`/);
  assert.match(println?.documentation ?? '', /Write the string and a newline\./);
  const tty = doc.hover(...after(text, 'tty.p', 2));
  assert.equal(tty?.code, 'class .internal.io.tty');
  assert.match(tty?.documentation ?? '', /Console output/);
  const shape = doc.hover(...after(text, 'extends sha'));
  assert.equal(shape?.code, 'class .demo.shape');
  assert.match(shape?.documentation ?? '', /A shape with a name\./);
  const label = doc.hover(...after(text, 'println(lab'));
  assert.equal(label?.code, 'var label : string');
  assert.match(label?.documentation ?? '', /local variable/);
  assert.deepEqual(
    [label?.range.line, label?.range.column, label?.range.endColumn],
    [17, 17, 22],
    'the range is the name hovered',
  );
  assert.equal(doc.hover(...after(text, 'var tim'))?.code, 'var times : int');
  assert.equal(doc.hover(1, 1), null, 'a keyword is not a name');
});

test('references and rename of a method reach its overrides and every call, in every file', () => {
  const lib = {
    file: 'lib.ph',
    text: 'package .demo;\nclass user { int twice(var s : .demo.shape) { return s.area() * 2; } };',
  };
  const text = program('var a = this.area();');
  const doc = new DocumentAnalysis('shapes.ph', text, [lib]);
  const refs = doc.references(...after(text, 'int ar'), true);
  assert.deepEqual(
    refs.map((r) => `${r.file}:${r.line}:${r.column}`),
    ['lib.ph:2:56', 'shapes.ph:8:7', 'shapes.ph:14:7', 'shapes.ph:17:18'],
  );
  assert.equal(doc.references(...after(text, 'int ar'), false).length, 2, 'without the declarations');
  const renamed = doc.rename(...after(text, 'this.ar'), 'size');
  assert.ok('edits' in renamed);
  assert.equal(renamed.edits.length, 4);
  for (const e of renamed.edits) assert.equal(e.endColumn - e.column, 'area'.length);
});

test('renaming a class renames its constructors, types, full names and imports', () => {
  const lib = {
    file: 'lib.ph',
    text: 'package .other;\nimport .demo.shape;\nclass user { var s : shape[]; .demo.shape make() { return new .demo.shape("x"); } };',
  };
  const text = program('');
  const result = new DocumentAnalysis('shapes.ph', text, [lib]).rename(...after(text, 'class sha'), 'figure');
  assert.ok('edits' in result);
  const where = result.edits.map((e) => `${e.file}:${e.line}:${e.column}`);
  assert.deepEqual(where, [
    'lib.ph:2:14',
    'lib.ph:3:22',
    'lib.ph:3:37',
    'lib.ph:3:69',
    'shapes.ph:5:7',
    'shapes.ph:7:3',
    'shapes.ph:11:22',
  ]);
  const lines = lib.text.split('\n');
  for (const e of result.edits.filter((x) => x.file === 'lib.ph'))
    assert.equal(lines[e.line - 1]!.slice(e.column - 1, e.endColumn - 1), 'shape');
});

test('rename refuses the system classes and names that are not names', () => {
  const text = program('tty.println(label);');
  const doc = new DocumentAnalysis('shapes.ph', text);
  const refusal = doc.rename(...after(text, 'tty.print'), 'say');
  assert.ok('refused' in refusal);
  assert.match(refusal.refused, /system classes/);
  assert.ok('refused' in doc.prepareRename(...after(text, 'tty.p', 2)));
  assert.ok('refused' in doc.rename(...after(text, 'println(lab'), 'while'));
  assert.ok('refused' in doc.rename(...after(text, 'println(lab'), '2x'));
  assert.ok('refused' in doc.rename(1, 1, 'x'), 'no name at the position');
  const local = doc.prepareRename(...after(text, 'println(lab'));
  assert.ok('range' in local);
  assert.equal(local.placeholder, 'label');
  const renamed = doc.rename(...after(text, 'println(lab'), 'caption');
  assert.ok('edits' in renamed);
  assert.deepEqual(
    renamed.edits.map((e) => [e.line, e.column]),
    [
      [16, 9],
      [17, 17],
    ],
  );
});

test('the outline lists classes with their fields, constructors and methods', () => {
  const outline = new DocumentAnalysis('shapes.ph', program('')).outline();
  assert.deepEqual(
    outline.map((c) => [c.name, c.kind, c.detail, c.children.map((m) => `${m.kind} ${m.name}`)]),
    [
      ['shape', 'class', '.demo.shape', ['field name', 'constructor shape', 'method area']],
      [
        'square',
        'class',
        '.demo.square',
        ['field side', 'constructor square', 'method area', 'method show', 'method make'],
      ],
    ],
  );
  const show = outline[1]!.children.find((c) => c.name === 'show');
  assert.equal(show?.detail, 'void show(times : int)');
  assert.deepEqual(
    [show?.selection.line, show?.selection.column, show?.range.line, show?.range.endLine],
    [15, 8, 15, 18],
  );
});

test('diagnostics are those of a build; the document wins over another file declaring the same class', () => {
  const other = { file: 'other.ph', text: 'package .demo;\nclass shape { };' };
  const doc = new DocumentAnalysis('shapes.ph', program('tty.println(label);'), [other]);
  assert.deepEqual(doc.diagnostics, []);
  const broken = new DocumentAnalysis('shapes.ph', program('tty.println(missing);'));
  assert.deepEqual(
    broken.diagnostics.map((d) => [d.code, d.line, d.message]),
    [['PH341', 17, "unknown name 'missing'"]],
  );
});

test('leadingComment reads the comment just above a declaration', () => {
  assert.equal(leadingComment('// one\n// two\nclass a {};', 14), 'one\ntwo');
  assert.equal(leadingComment('/**\n * Block\n * text.\n */\n  var x : int;', 27), 'Block\ntext.');
  assert.equal(leadingComment('// far\n\nclass a {};', 8), undefined, 'a blank line ends it');
  assert.equal(leadingComment('x(); class a {};', 5), undefined, 'code before it on its line');
  assert.equal(leadingComment('class a {};', 0), undefined);
});
