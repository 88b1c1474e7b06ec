/**
 * Incremental parsing (server/src/python/reparse.ts): a document re-parsed from its last
 * tree must give the tree, and the model, a fresh parse of the same text gives — through
 * insertions, deletions, syntax errors, non-ASCII text and CRLF line ends.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { Node, Tree } from 'web-tree-sitter';
import { Project } from '../server/src/engine/project';
import { compactModel } from '../server/src/engine/compact';
import { initPython, getPythonParser } from '../server/src/python/parser';
import { parsePython } from '../server/src/python/frontend';
import { reparse, textEdit } from '../server/src/python/reparse';
import { FIXTURES_ROOT, listSourceFiles } from './support/fixtures';

function dump(n: Node): string {
  const kids = n.children.map((c) => (c ? dump(c) : '?')).join(',');
  return `${n.type}[${n.startIndex}-${n.endIndex} ${n.startPosition.row}:${n.startPosition.column}-${n.endPosition.row}:${n.endPosition.column}](${kids})`;
}

/** Small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

const SNIPPETS = ['x = 1\n', '    y = 2\n', 'def f(:\n', '"é😀"', '\r\n', ')', 'if a:\n    pass\n', '# note\n', 'class C:\n', '😀', ''];

/** A random edit of `text`: a span replaced by a snippet (or removed), at any offset. */
function mutate(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const len = Math.floor(next() * 12);
  const insert = SNIPPETS[Math.floor(next() * SNIPPETS.length)]!;
  return text.slice(0, at) + insert + text.slice(Math.min(text.length, at + len));
}

describe('incremental parsing', () => {
  before(async () => {
    await initPython();
  });

  it('describes an edit as the span between the common prefix and suffix, in UTF-16 units, never inside a surrogate pair', () => {
    const e = textEdit('ab\ncd\nef', 'ab\ncXYd\nef');
    assert.deepEqual(
      [e.startIndex, e.oldEndIndex, e.newEndIndex, e.startPosition, e.oldEndPosition, e.newEndPosition],
      [4, 4, 6, { row: 1, column: 1 }, { row: 1, column: 1 }, { row: 1, column: 3 }],
    );
    // '😀' and '😁' share their high surrogate: the edit starts before it
    const s = textEdit('a😀b', 'a😁b');
    assert.deepEqual([s.startIndex, s.oldEndIndex, s.newEndIndex], [1, 3, 3]);
    const lines = textEdit('x\n', 'x\ny\nz\n');
    assert.deepEqual([lines.startIndex, lines.oldEndIndex, lines.newEndIndex, lines.newEndPosition], [2, 2, 6, { row: 3, column: 0 }]);
    const same = textEdit('abc', 'abc');
    assert.deepEqual([same.startIndex, same.oldEndIndex, same.newEndIndex], [3, 3, 3]);
  });

  it('gives the tree of a fresh parse after random edits of every Python fixture', function () {
    this.timeout(300_000);
    const parser = getPythonParser()!;
    const next = random(20261207);
    let reused = 0;
    for (const file of listSourceFiles(FIXTURES_ROOT).filter((f) => f.endsWith('.py'))) {
      const original = readFileSync(file, 'utf8');
      let text = original;
      let tree: Tree = parser.parse(text)!;
      for (let i = 0; i < 6; i++) {
        // every third edit goes back to the original text (from a tree that may have errors)
        const after = i % 3 === 2 ? original : mutate(text, next);
        const clean = !tree.rootNode.hasError;
        const incremental = reparse(parser, { tree, text }, after)!;
        const fresh = parser.parse(after)!;
        assert.equal(dump(incremental.rootNode), dump(fresh.rootNode), `${file}, edit ${i}`);
        if (clean && !fresh.rootNode.hasError) reused++;
        fresh.delete();
        tree.delete();
        tree = incremental;
        text = after;
      }
      tree.delete();
    }
    assert.ok(reused > 100, `error-free re-parses: ${reused}`);
  });

  it('gives the model of a fresh parse, and the project keeps only a few trees', async function () {
    this.timeout(300_000);
    const files = listSourceFiles(FIXTURES_ROOT).filter((f) => f.endsWith('.py')).slice(0, 40);
    const project = await Project.create();
    const next = random(7);
    let version = 0;
    for (const file of files) {
      let text = readFileSync(file, 'utf8');
      project.updateFile(file, text, ++version);
      for (let i = 0; i < 3; i++) {
        text = mutate(text, next);
        project.updateFile(file, text, ++version);
        // in the compact form the project stores (ranges as spans)
        const fresh = compactModel(parsePython(file, text, { flowFacts: true }));
        // value-flow facts may be deferred in the project's model: read them so both hold them
        assert.deepEqual({ ...project.model(file)!, flow: project.model(file)!.flow }, { ...fresh }, `${file}, edit ${i}`);
      }
    }
    assert.ok(project['trees'].size <= 8, `trees kept: ${project['trees'].size}`);
    // a file reloaded from disk (no version: closed in the editor) keeps no tree
    for (const file of files) project.updateFile(file, `${readFileSync(file, 'utf8')}\n`);
    assert.equal(project['trees'].size, 0);
  });
});

describe('released texts (the language server keeps models, not the texts of closed files)', () => {
  it('reads a released text again from disk, gives the same findings and fixes, and tells a changed file', async function () {
    this.timeout(300_000);
    const { mkdtempSync, writeFileSync, cpSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crossproc-released-'));
    try {
      cpSync(path.join(FIXTURES_ROOT, 'python'), dir, { recursive: true });
      const files = listSourceFiles(dir).filter((f) => f.endsWith('.py'));
      const full = await Project.create();
      const lean = await Project.create();
      for (const f of files) {
        const t = readFileSync(f, 'utf8');
        full.updateFile(f, t);
        lean.updateFile(f, t);
        lean.releaseText(f);
      }
      const show = (p: Project) => p.analyze().map((x) => `${x.file}:${x.range.start.line} ${x.rule} ${x.message} ${JSON.stringify(x.fixes)}`);
      assert.deepEqual(show(lean), show(full));
      assert.ok(show(full).length > 50);
      // a released model holds what the full one does, its names one string each and its
      // equal parameter lists one array (compact.ts, internModel)
      for (const file of files) assert.deepEqual(lean.model(file), full.model(file), file);
      const selfOnly = files.flatMap((file) => lean.model(file)!.units.filter((u) => u.params.join() === 'self').map((u) => u.params));
      assert.ok(selfOnly.length > 20 && selfOnly.every((p) => p === selfOnly[0]), `${selfOnly.length} lists ['self']`);
      const f = files[0]!;
      assert.equal(lean.text(f), full.text(f));
      // the same text again (a reload from disk): nothing to re-parse, still released
      assert.equal(lean.updateFile(f, readFileSync(f, 'utf8')), false);
      assert.equal(lean['entries'].get(f)?.text, undefined);
      // changed on disk, not yet reloaded: not the text the model was made of
      writeFileSync(f, `${readFileSync(f, 'utf8')}\nX = 1\n`);
      assert.equal(lean.text(f), undefined);
      // an edit: the entry holds its text again
      assert.equal(lean.updateFile(f, 'Y = 2\n'), true);
      assert.equal(lean.text(f), 'Y = 2\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
