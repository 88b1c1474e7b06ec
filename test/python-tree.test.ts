/**
 * The plain tree copy (server/src/python/tree.ts): the copy read from the WASM memory must
 * be the copy made through the public TreeCursor, node for node (ids, fields, anonymous
 * leaves put back in place), on the fixtures, on broken text and on incrementally
 * re-parsed trees. bench/verify-tree.ts checks both against the Node API on the stdlib.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { Tree } from 'web-tree-sitter';
import { getPythonParser, initPython } from '../server/src/python/parser';
import { reparse } from '../server/src/python/reparse';
import { DECLARING_TYPES } from '../server/src/python/syntax';
import { copyTree, setFastCopy, type SyntaxNode } from '../server/src/python/tree';
import { FIXTURES_ROOT, listSourceFiles } from './support/fixtures';

function dump(n: SyntaxNode, out: string[]): void {
  out.push(`${n.id}:${n.type}:${n.field ?? ''}:${n.isNamed ? 'n' : 'a'}:${n.startIndex}-${n.endIndex}(${n.children.length}/${n.namedChildren.length})`);
  for (const c of n.children) {
    assert.equal(c.parent, n);
    dump(c, out);
  }
}

function copies(tree: Tree, text: string): [string[], string[]] {
  const fast: string[] = [];
  const slow: string[] = [];
  setFastCopy(true);
  dump(copyTree(tree, text), fast);
  setFastCopy(false);
  try {
    dump(copyTree(tree, text), slow);
  } finally {
    setFastCopy(true);
  }
  return [fast, slow];
}

describe('python tree copy', function () {
  this.timeout(120_000);
  before(async () => {
    await initPython();
  });

  it('reads the tree from the WASM memory (its self-check passed)', () => {
    assert.equal(setFastCopy(true), true);
  });

  it('is the cursor copy on every Python fixture, and on broken variants of them', () => {
    const parser = getPythonParser()!;
    const files = listSourceFiles(FIXTURES_ROOT).filter((f) => f.endsWith('.py'));
    assert.ok(files.length > 50);
    files.forEach((file, i) => {
      const text = readFileSync(file, 'utf8');
      const at = (i * 7919) % Math.max(1, text.length);
      for (const t of [text, text.slice(0, at) + '(' + text.slice(at), text.slice(0, at)]) {
        const tree = parser.parse(t)!;
        try {
          const [fast, slow] = copies(tree, t);
          assert.deepEqual(fast, slow, file);
        } finally {
          tree.delete();
        }
      }
    });
  });

  it('is the cursor copy on an incrementally re-parsed tree', () => {
    const parser = getPythonParser()!;
    const before = 'import os\n\ndef f(a, *b):\n    return [x for x in a if x not in b]\n';
    const after = 'import os\n\ndef f(a, *b, **k):\n    return [x for x in a if x not in b] + "é😀"\n';
    const old = parser.parse(before)!;
    const tree = reparse(parser, { tree: old, text: before }, after)!;
    try {
      const [fast, slow] = copies(tree, after);
      assert.deepEqual(fast, slow);
    } finally {
      tree.delete();
      old.delete();
    }
  });

  it('marks exactly the nodes with a node pass A declares from below them (holdsDeclaring)', () => {
    const parser = getPythonParser()!;
    /**
     * whether a node of DECLARING_TYPES is below `n` (through all visible children; an
     * anonymous leaf is a keyword such as `lambda`, never a node pass A sees), checking
     * every node's mark on the way
     */
    const check = (n: SyntaxNode, file: string): boolean => {
      let below = false;
      for (const c of n.children) {
        const leafToken = !c.isNamed && c.children.length === 0;
        if (check(c, file) || (DECLARING_TYPES.has(c.type) && !leafToken)) below = true;
      }
      assert.equal(n.holdsDeclaring, below, `${file}: ${n.type} at ${n.startIndex}`);
      return below;
    };
    let marked = 0;
    let unmarked = 0;
    const files = listSourceFiles(FIXTURES_ROOT).filter((f) => f.endsWith('.py'));
    files.forEach((file, i) => {
      const text = readFileSync(file, 'utf8');
      const at = (i * 7919) % Math.max(1, text.length);
      for (const t of [text, text.slice(0, at) + '(' + text.slice(at)]) {
        const tree = parser.parse(t)!;
        try {
          const root = copyTree(tree, t);
          check(root, file);
          const count = (n: SyntaxNode): void => {
            if (n.holdsDeclaring) marked++;
            else unmarked++;
            n.namedChildren.forEach(count);
          };
          count(root);
        } finally {
          tree.delete();
        }
      }
    });
    assert.ok(marked > 1000 && unmarked > marked, `${marked} marked, ${unmarked} not`);
  });

  it('keeps anonymous leaves out of namedChildren and puts them back in children', () => {
    const parser = getPythonParser()!;
    const text = 'x = a + (b)\n';
    const tree = parser.parse(text)!;
    try {
      const root = copyTree(tree, text);
      const asg = root.namedChildren[0]!.namedChildren[0]!;
      assert.equal(asg.type, 'assignment');
      assert.deepEqual(asg.namedChildren.map((c) => c.type), ['identifier', 'binary_operator']);
      assert.deepEqual(asg.children.map((c) => c.type), ['identifier', '=', 'binary_operator']);
      const sum = asg.childForFieldName('right')!;
      assert.equal(sum.childForFieldName('operator')?.text, '+');
      assert.deepEqual(sum.children.map((c) => c.text), ['a', '+', '(b)']);
      assert.equal(sum.children[1]!.isNamed, false);
      assert.equal(sum.children, sum.children, 'built once');
    } finally {
      tree.delete();
    }
  });
});
