/**
 * js/depthBound.ts: the depth bound read from a JS/TS text without parsing. The CLI leaves
 * a file out of a run only if its tree is shallow (a full run lists too-deep files as
 * skipped), and takes this bound's word for it: it must never be under the parsed depth
 * of code TypeScript reads without error, and on broken code it must never clear a tree
 * deeper than the front end can walk.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { depthBound } from '../server/src/js/depthBound';
import { SHALLOW_DEPTH, isShallow, parsedDepthAtMost } from '../server/src/js/depth';
import { parseJs, scriptKindFor } from '../server/src/js/frontend';
import { ranOutOfStack } from '../server/src/shared/budget';

const REPO = path.resolve(__dirname, '..');

/** the tree's depth as js/depth.ts counts it (levels of non-token nodes below the source file) */
function depthOf(file: string, text: string): number {
  let sf: ts.SourceFile;
  try {
    sf = ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, scriptKindFor(file));
  } catch (err) {
    // the parser itself ran out of stack: deeper than anything
    if (err instanceof RangeError) return Infinity;
    throw err;
  }
  let max = 0;
  const nodes: ts.Node[] = [sf];
  const depths = [0];
  while (nodes.length) {
    const n = nodes.pop()!;
    const d = depths.pop()!;
    if (d > max) max = d;
    ts.forEachChild(n, (c) => {
      if (c.kind > ts.SyntaxKind.LastToken) (nodes.push(c), depths.push(d + 1));
    });
  }
  return max;
}

const jsx = (file: string) => scriptKindFor(file) !== ts.ScriptKind.TS;

/** the JS/TS sources of the fixtures and of this repository's server */
function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') walk(full);
      else if (/\.(?:[cm]?[jt]s|[jt]sx)$/.test(e.name)) out.push(full);
    }
  };
  walk(path.join(REPO, 'fixtures'));
  walk(path.join(REPO, 'server', 'src'));
  return out;
}

/** texts of `n` nested or chained pieces, shapes that make deep trees */
const SHAPES: Record<string, (n: number) => string> = {
  functions: (n) => `const f = ${'function () { return '.repeat(n)}1${';}'.repeat(n)};\n`,
  arrows: (n) => `const f = ${'(a) => '.repeat(n)}1;\n`,
  plus: (n) => `const s = ${Array(n).fill('a').join(' + ')};\n`,
  'plus, one per line': (n) => `const s = 1\n${'  + 1\n'.repeat(n)};\n`,
  calls: (n) => `const s = a${'.b()'.repeat(n)};\n`,
  'calls, one per line': (n) => `p\n${'  .then(() => {\n    x();\n  })\n'.repeat(n)};\n`,
  ternary: (n) => `const t = ${Array(n).fill('a ? b').join(' :\n')} : c;\n`,
  'else if': (n) => `if (a) x();\n${'else if (a) x();\n'.repeat(n)}`,
  'nested if': (n) => `${'if (a)\n'.repeat(n)}x();\n`,
  not: (n) => `const b = ${'!'.repeat(n)}a;\n`,
  typeof: (n) => `const b = ${'typeof '.repeat(n)}a;\n`,
  comma: (n) => `a${', a'.repeat(n)};\n`,
  'comma after return': (n) => `function f() { return a${',a()'.repeat(n)}; }\n`,
  arrays: (n) => `const a = ${'['.repeat(n)}1${']'.repeat(n)};\n`,
  parens: (n) => `const a = ${'('.repeat(n)}1${')'.repeat(n)};\n`,
  objects: (n) => `const o = ${'{ a: '.repeat(n)}1${' }'.repeat(n)};\n`,
  templates: (n) => `const t = ${'`${'.repeat(n)}1${'}`'.repeat(n)};\n`,
  'tagged templates': (n) => `const t = tag${'`x`'.repeat(n)};\n`,
  labels: (n) => `${'l: '.repeat(n)}x();\n`,
  'class extends': (n) => `const C = ${'class extends '.repeat(n)}Object${' {}'.repeat(n)};\n`,
  'no semicolons': (n) => `function f() {\n${'  a = b\n  c()\n'.repeat(n)}}\n`,
  'var list': (n) => `var ${Array.from({ length: n }, (_, i) => `v${i} = ${i}`).join(', ')};\n`,
  'big array': (n) => `module.exports = [${Array(n).fill('1').join(', ')}];\n`,
  'big object': (n) => `module.exports = { ${Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join(', ')} };\n`,
};

describe('depthBound: a tree depth bound read from the text', () => {
  it('is never under the parsed depth of the fixtures and of this repository', () => {
    let checked = 0;
    for (const f of sources()) {
      const text = fs.readFileSync(f, 'utf8');
      const bound = depthBound(text, jsx(f), Number.MAX_SAFE_INTEGER);
      if (bound === Infinity) continue;
      checked++;
      const depth = depthOf(f, text);
      assert.ok(bound >= depth, `${path.relative(REPO, f)}: bound ${bound} < depth ${depth}`);
    }
    assert.ok(checked > 400, `${checked} files bounded`);
  });

  it('clears only shapes whose tree is within the limit, and clears the small ones', function () {
    this.timeout(120_000);
    for (const [name, make] of Object.entries(SHAPES)) {
      for (const n of [5, 20, 60, 100, 150, 250, 400, 1000]) {
        const text = make(n);
        const depth = depthOf('t.ts', text);
        for (const limit of [30, 100, SHALLOW_DEPTH]) {
          const bound = depthBound(text, true, limit);
          if (bound <= limit) assert.ok(depth <= limit, `${name} × ${n}: cleared at ${limit}, depth ${depth}`);
          // sibling lists and statements stay small however many they are
          if (n === 5 && limit === SHALLOW_DEPTH) assert.ok(bound <= limit, `${name} × 5: bound ${bound}`);
        }
      }
      for (const n of [150, 250]) if (/big|var list|no semicolons/.test(name)) assert.ok(depthBound(make(n), true, SHALLOW_DEPTH) <= SHALLOW_DEPTH, `${name} × ${n}`);
    }
  });

  it('leaves the front end room: the deepest text of each shape it clears is walked without running out of stack', function () {
    this.timeout(120_000);
    for (const [name, make] of Object.entries(SHAPES)) {
      let lo = 1;
      let hi = 4000;
      // the largest n the bound clears (bounds grow with n)
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (depthBound(make(mid), true, SHALLOW_DEPTH) <= SHALLOW_DEPTH) lo = mid;
        else hi = mid - 1;
      }
      const model = parseJs('/t/deep.js', make(lo));
      assert.equal(ranOutOfStack(model.problems), false, `${name} × ${lo}`);
    }
  });

  it('gives up where the text alone cannot tell (Infinity)', () => {
    const cases: Array<[string, string]> = [
      ['a.js', 'if (a) {}\n/x/.test(b);\n'], // `}` then `/`: a block's end or an object literal's
      ['a.js', 'const x = <div>{a}</div>;\n'], // JSX
      ['a.js', "const s = 'unterminated\n"],
      ['a.js', 'const s = `unterminated ${a}\n'],
      ['a.js', 'const s = 1; /* unterminated\n'],
      ['a.js', 'const r = /unterminated\n'],
      ['a.js', 'const s = a(b];\n'], // brackets that do not match
      ['a.js', 'const s = (a;\n'],
      ['a.js', 'const caf\u00e9 = 1;\n'], // outside ASCII in code
      ['a.js', 'const \\u0061 = 1;\n'],
      ['a.js', 'for await (const x of y) /x/.test(x);\n'],
      ['a.js', 'x = i++ / 2;\n'],
    ];
    for (const [file, text] of cases) assert.equal(depthBound(text, jsx(file), SHALLOW_DEPTH), Infinity, JSON.stringify(text));
    // what TypeScript reads as a regular expression or a division, and generics in .ts files, are read as it does
    assert.ok(depthBound('if (a) /x/.test(b);\nconst y = a / b / c;\nconst z = (a) / 2;\nconst w = [1] / 2;\n', true, SHALLOW_DEPTH) < 20);
    assert.ok(depthBound('const x = f<string>(a) < b;\nlet y = <T>z;\n', false, SHALLOW_DEPTH) < 20);
    assert.ok(depthBound('\ufeff#!/usr/bin/env node\nconst s = "caf\u00e9";\n', true, SHALLOW_DEPTH) < 20);
  });

  it('does not clear a broken list that TypeScript reads as one long chain', () => {
    // `++x` ends the declaration list for TypeScript, which reads the rest as one comma expression
    const text = `const ++x, ${Array(3000).fill("'c'").join(', ')};\n`;
    assert.ok(depthOf('t.js', text) > 2000);
    assert.equal(depthBound(text, true, SHALLOW_DEPTH), Infinity);
    assert.equal(depthBound(`x = [\n${text}]\n`, true, SHALLOW_DEPTH), Infinity);
    // an unbroken list of siblings is cleared (up to a length its chain would fit in too)
    assert.ok(depthBound(`const x = 1, ${Array.from({ length: 200 }, (_, i) => `c${i} = ${i}`).join(', ')};\n`, true, SHALLOW_DEPTH) <= SHALLOW_DEPTH);
  });

  it('never clears a broken text deeper than a few times the limit (mutated fixtures)', function () {
    this.timeout(120_000);
    const files = sources().filter((f) => fs.statSync(f).size < 20_000);
    let seed = 20261207;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff), seed / 0x7fffffff);
    const pieces = ['{', '}', '(', ')', '[', ']', ';', '\n', ',', 'else ', 'if ', 'do ', '=>', '?', ':', '.', 'a', '+', 'return ', 'var ', 'function ', 'class ', 'case ', 'in ', '!', '=', 'enum ', 'b c', '/', '`', "'"];
    let cleared = 0;
    for (let k = 0; k < 600; k++) {
      const f = files[Math.floor(rnd() * files.length)];
      let text = fs.readFileSync(f, 'utf8');
      for (let m = 0; m < 3; m++) {
        const at = Math.floor(rnd() * text.length);
        const r = rnd();
        if (r < 0.3) text = text.slice(0, at) + text.slice(at + Math.floor(rnd() * 40));
        else if (r < 0.5) text = text.slice(0, at) + text.slice(at, at + Math.floor(rnd() * 200)) + text.slice(at);
        else text = text.slice(0, at) + pieces[Math.floor(rnd() * pieces.length)] + text.slice(at);
      }
      const limit = [8, 15, 30][k % 3];
      if (depthBound(text, jsx(f), limit) > limit) continue;
      cleared++;
      const depth = depthOf(f, text);
      assert.ok(depth <= 3 * limit, `${path.relative(REPO, f)} mutated: cleared at ${limit}, depth ${depth}`);
    }
    assert.ok(cleared > 50, `${cleared} cleared`);
  });

  it('lets isShallow parse only what it cannot clear, with the same answers', () => {
    for (const [name, make] of Object.entries(SHAPES)) {
      for (const n of [20, 400]) {
        const text = make(n);
        assert.equal(isShallow('t.js', text), parsedDepthAtMost('t.js', text), `${name} × ${n}`);
      }
    }
  });
});
