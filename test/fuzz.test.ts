/**
 * A seeded, bounded run of the fuzzer (test/support/fuzz.ts; `npm run fuzz` runs it at
 * length), the checks it relies on, and the defects it found, pinned as regressions.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Project } from '../server/src/engine/project';
import { checkInput, fuzz, loadSubjects, mutate, rangeProblem } from './support/fuzz';
import { PYTHON_PROGRAM, makeTree, runCli } from './support/programs';

describe('fuzzing (seeded, bounded)', function () {
  this.timeout(300_000);

  it('the range check catches positions outside the document (LSP lines: CR, LF, CRLF)', () => {
    const at = (line: number, character: number) => ({ line, character });
    assert.equal(rangeProblem('ab\rcd', { start: at(1, 0), end: at(1, 2) }), undefined);
    assert.match(rangeProblem('ab\rcd', { start: at(0, 4), end: at(0, 5) }) ?? '', /outside/);
    assert.match(rangeProblem('ab\ncd', { start: at(2, 0), end: at(2, 0) }) ?? '', /outside/);
    assert.match(rangeProblem('abcd', { start: at(0, 3), end: at(0, 1) }) ?? '', /start after end/);
  });

  it('mutations change the text as named', () => {
    assert.equal(mutate('a\nb\nc', { kind: 'delete-line', at: 0.5 }), 'a\nc');
    assert.equal(mutate('a\nb', { kind: 'line-ends', to: '\r' }), 'a\rb');
    assert.equal(mutate('ab', { kind: 'truncate', at: 0.5 }), 'a');
    assert.equal(mutate('x', { kind: 'bom' }), '\ufeffx');
    assert.equal(mutate('x = 1', { kind: 'nest', at: 0, depth: 3, open: '[' }).split('\n')[0], 'x = [[[1]]]');
  });

  it('1,500 mutated fixture files: no exception, at most 2 s of CPU each, ranges inside, fixes re-parse', async () => {
    const report = await fuzz({ runs: 1500, seed: 20261207 });
    assert.equal(report.failure, undefined, report.failure);
    assert.equal(report.inputs, 1500);
  });

  it('100 with the expensive mutations (10,000-deep nesting, megabyte lines)', async () => {
    const report = await fuzz({ runs: 100, seed: 7, heavy: true });
    assert.equal(report.failure, undefined, report.failure);
  });
});

describe('defects the fuzzer found', () => {
  it('a Python file with CR line ends gets positions on its own lines', async () => {
    const project = await Project.create();
    const text = PYTHON_PROGRAM['main.py']!.replace(/\n/g, '\r');
    project.updateFile('/v/main.py', text);
    const findings = project.analyze();
    const stale = findings.find((f) => f.rule === 'stale-global-read');
    assert.ok(stale, 'still found');
    assert.deepEqual(stale.range.start, { line: 3, character: 14 });
    for (const f of findings) assert.equal(rangeProblem(text, f.range), undefined);
  });

  it('U+2028 in a JavaScript file does not shift the lines after it', async () => {
    const subject = loadSubjects().find((s) => s.target.endsWith(path.join('stale-read-worker-file', 'worker.js')))!;
    const project = await Project.create();
    for (const [f, t] of subject.files) project.updateFile(f, t);
    const text = `// a\u2028b\n${subject.files.get(subject.target)!}`;
    const outcome = checkInput(project, await Project.create(), subject, text);
    assert.deepEqual(outcome.problems, []);
    const finding = project.analyze().find((f) => f.file === subject.target);
    assert.ok(finding, 'still found');
    assert.equal(finding.range.start.line, 4, 'one line down (line 3 without the comment), not two');
  });

  it('a file nested too deeply for a front end is skipped with a note, not half analysed', () => {
    const deep = `x = ${'(() => '.repeat(3000)}1${')'.repeat(3000)};\n`;
    const root = makeTree({ 'deep.js': deep, 'ok.py': 'x = 1\n' });
    try {
      const run = runCli(root, '--format', 'json');
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout) as { stats: { files: number }; skipped: Array<{ file: string; reason: string; message: string }> };
      assert.deepEqual(out.skipped.map((s) => [s.file, s.reason, s.message]), [['deep.js', 'too-deep', 'nested too deeply to analyse']]);
      assert.equal(out.stats.files, 1);
      assert.ok(fs.existsSync(path.join(root, 'deep.js')));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
