/**
 * Python fixes write code in the project's style (issue 15, item 7): lines within the line
 * length of `[tool.ruff]` / `[tool.black]` / `ruff.toml` (88 by default), split the way
 * Black splits them; new arguments of a call whose arguments stand one per line go one per
 * line; a new top-level def gets the file's blank lines (one or two). The fixed fixture
 * programs that run under spawn and fork (test/fixes-run.test.ts) include split lines.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initPython } from '../server/src/python/frontend';
import { fitEdits, splitLine } from '../server/src/fixes/python/line-fit';
import { DEFAULT_LINE_LENGTH, pythonLineLength } from '../server/src/fixes/python/line-length';
import { fixShapes } from './support/fix-shapes';

const TMP = 'crossproc-fixes-python-style';
const { applyKind } = fixShapes(TMP);
const src = (...ls: string[]) => ls.join('\n') + '\n';

/** Writes a project file on disk where the in-memory program lives (the fix reads it from there). */
function projectFile(dir: string, name: string, text: string): void {
  const d = path.join(os.tmpdir(), TMP, dir);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, name), text);
}

/** A stale read fixed through a new initializer on an executor inside a def (indented twice). */
const EXECUTOR = src(
  'from concurrent.futures import ProcessPoolExecutor',
  '',
  'MODE = "slow"',
  '',
  '',
  'def render(x):',
  '    return f"{MODE}:{x}"',
  '',
  '',
  'def main():',
  '    global MODE',
  '    MODE = "fast"',
  '    with ProcessPoolExecutor(max_workers=2, max_tasks_per_child=1) as executor:',
  '        print(list(executor.map(render, [1, 2])))',
  '',
  '',
  'if __name__ == "__main__":',
  '    main()',
);

function longest(text: string): number {
  return Math.max(...text.split('\n').map((l) => l.length));
}

describe('Python quick fixes: the project\'s style', () => {
  before(async () => {
    await initPython();
  });
  after(() => fs.rmSync(path.join(os.tmpdir(), TMP), { recursive: true, force: true }));

  it('splits a line the fix made longer than 88 as Black does', async () => {
    projectFile('default', 'pyproject.toml', '[project]\nname = "demo"\n');
    const out = (await applyKind({ 'main.py': EXECUTOR }, 'default', 'stale-global-read', 'move-to-initializer')).get('main.py')!;
    assert.ok(
      out.includes(
        src(
          '    with ProcessPoolExecutor(',
          '        max_workers=2, max_tasks_per_child=1, initializer=_init_MODE, initargs=(MODE,)',
          '    ) as executor:',
          '        print(list(executor.map(render, [1, 2])))',
        ),
      ),
      out,
    );
    assert.ok(longest(out) <= 88, out);
  });

  it('reads line-length from [tool.ruff], [tool.black] and ruff.toml', async () => {
    projectFile('ruff130', 'pyproject.toml', '[tool.ruff]\nline-length = 130\n');
    const wide = (await applyKind({ 'main.py': EXECUTOR }, 'ruff130', 'stale-global-read', 'move-to-initializer')).get('main.py')!;
    assert.match(wide, /^ {4}with ProcessPoolExecutor\(max_workers=2, max_tasks_per_child=1, initializer=_init_MODE, initargs=\(MODE,\)\) as executor:$/m);

    projectFile('black60', 'pyproject.toml', '[tool.black]\nline-length = 60\n');
    const narrow = (await applyKind({ 'main.py': EXECUTOR }, 'black60', 'stale-global-read', 'move-to-initializer')).get('main.py')!;
    // the arguments do not fit on one line of 60 either: one per line, with a trailing comma
    assert.ok(
      narrow.includes(
        src(
          '    with ProcessPoolExecutor(',
          '        max_workers=2,',
          '        max_tasks_per_child=1,',
          '        initializer=_init_MODE,',
          '        initargs=(MODE,),',
          '    ) as executor:',
        ),
      ),
      narrow,
    );
    assert.ok(longest(narrow) <= 60, narrow);

    projectFile('rufftoml', 'ruff.toml', 'line-length = 100\n');
    projectFile('rufftoml', 'pyproject.toml', '[tool.black]\nline-length = 60\n');
    assert.equal(pythonLineLength(path.join(os.tmpdir(), TMP, 'rufftoml', 'pkg', 'main.py')), 100);
    projectFile('plain', 'pyproject.toml', '[project]\nname = "demo"\n');
    assert.equal(pythonLineLength(path.join(os.tmpdir(), TMP, 'plain', 'main.py')), DEFAULT_LINE_LENGTH);
  });

  it('puts new arguments one per line when the call has its arguments one per line', async () => {
    projectFile('oneperline', 'pyproject.toml', '[project]\nname = "demo"\n');
    const program = EXECUTOR.replace(
      '    with ProcessPoolExecutor(max_workers=2, max_tasks_per_child=1) as executor:\n',
      '    with ProcessPoolExecutor(\n        max_workers=2,\n        max_tasks_per_child=1,\n    ) as executor:\n',
    );
    const out = (await applyKind({ 'main.py': program }, 'oneperline', 'stale-global-read', 'move-to-initializer')).get('main.py')!;
    assert.ok(
      out.includes(
        src(
          '    with ProcessPoolExecutor(',
          '        max_workers=2,',
          '        max_tasks_per_child=1,',
          '        initializer=_init_MODE,',
          '        initargs=(MODE,),',
          '    ) as executor:',
        ),
      ),
      out,
    );
  });

  it('separates a new top-level def by the blank lines the file uses', async () => {
    projectFile('blank', 'pyproject.toml', '[project]\nname = "demo"\n');
    const one = src(
      'from multiprocessing import Pool',
      'GREETING = None',
      '',
      'def task(x):',
      '    return f"{GREETING} {x}"',
      '',
      'def other():',
      '    return 1',
      '',
      'if __name__ == "__main__":',
      '    GREETING = "Hello"',
      '    with Pool(2) as p:',
      '        print(p.map(task, [1, 2]))',
    );
    const out1 = (await applyKind({ 'main.py': one }, 'blank', 'stale-global-read', 'move-to-initializer')).get('main.py')!;
    assert.ok(out1.includes(src('    return 1', '', 'def _init_GREETING(value):', '    global GREETING', '    GREETING = value', '', 'if __name__ == "__main__":')), out1);
    const two = one.replace(/\n\ndef /g, '\n\n\ndef ').replace('\n\nif __name__', '\n\n\nif __name__');
    const out2 = (await applyKind({ 'main.py': two }, 'blank', 'stale-global-read', 'move-to-initializer')).get('main.py')!;
    assert.ok(out2.includes(src('    return 1', '', '', 'def _init_GREETING(value):', '    global GREETING', '    GREETING = value', '', '', 'if __name__ == "__main__":')), out2);
  });

  it('splits only code: a long line inside a multi-line string stays whole', () => {
    const text = src('DOC = """', `    see f(${'a, '.repeat(30)}b)`, '"""', 'x = g(1)');
    const inString = { range: { start: { line: 1, character: 4 }, end: { line: 1, character: 4 } }, newText: 'now ' };
    assert.deepEqual(fitEdits(text, [inString], 88, '    '), [inString]);
    const inCode = { range: { start: { line: 3, character: 6 }, end: { line: 3, character: 7 } }, newText: `${'item, '.repeat(20)}1` };
    const [split] = fitEdits(text, [inCode], 88, '    ');
    assert.match(split!.newText, /^x = g\(\n {4}item,\n/);
  });

  describe('splitLine', () => {
    it('leaves a fitting line, a comment and an unsplittable line alone', () => {
      assert.equal(splitLine('    x = f(a, b)', 88, '    '), undefined);
      assert.equal(splitLine(`    # ${'word '.repeat(30)}`, 88, '    '), undefined);
      assert.equal(splitLine(`    x = ${'a_long_name + '.repeat(10)}b`, 88, '    '), undefined);
      // long only because of its comment: the comment stays by its code
      assert.equal(splitLine(`    print(json.dumps(dict(squares)))  # ${'note '.repeat(12)}`, 88, '    '), undefined);
    });

    it('keeps a lambda\'s parameters together and brackets inside strings out', () => {
      const line = `        executor.submit(task, n).add_done_callback(lambda f, g=")(": RESULTS.append(f.result(), g), "${'x'.repeat(30)}")`;
      assert.deepEqual(splitLine(line, 88, '    '), [
        '        executor.submit(task, n).add_done_callback(',
        '            lambda f, g=")(": RESULTS.append(f.result(), g),',
        `            "${'x'.repeat(30)}",`,
        '        )',
      ]);
    });

    it('moves a trailing comment to the closing line, as Black does', () => {
      const line = `    with ProcessPoolExecutor(max_workers=2, initializer=init_worker, initargs=(PREFIX, SCALE)) as ex:  # why`;
      assert.deepEqual(splitLine(line, 88, '    '), [
        '    with ProcessPoolExecutor(',
        '        max_workers=2, initializer=init_worker, initargs=(PREFIX, SCALE)',
        '    ) as ex:  # why',
      ]);
    });
  });
});
