/**
 * The per-file work budget (shared/budget.ts): a file over MAX_FILE_TOKENS is not parsed,
 * wherever its text comes from (the CLI's reading, the editor's open document), and the
 * user is told: a CLI note, an information diagnostic in the editor.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Project } from '../server/src/engine/project';
import { MAX_FILE_TOKENS, countTokens, isOverBudget } from '../server/src/shared/budget';
import { readSourceFile } from '../server/src/shared/files';
import { startSession, uriOf, waitFor } from './support/lsp-session';
import { PYTHON_PROGRAM, makeTree, runCli } from './support/programs';

/** A one-line Python list of `n` numbers: 2n + 3 tokens. */
const flatList = (n: number) => `X = [${Array.from({ length: n }, (_, i) => i).join(', ')}]\n`;

describe('per-file work budget', () => {
  it('counts tokens: identifier/number runs once, every other non-space character once', () => {
    assert.equal(countTokens(''), 0);
    assert.equal(countTokens('x = foo(a1, 22)\n'), 8);
    assert.equal(countTokens('  \t\r\n'), 0);
    assert.equal(countTokens('caf\u00e9 = "d\u00e9j\u00e0 vu"'), 6);
    assert.equal(countTokens('a b c d e', 2), 3, 'stops past the limit');
    assert.equal(isOverBudget(flatList((MAX_FILE_TOKENS - 3) / 2 - 1)), false);
    assert.equal(isOverBudget(flatList(MAX_FILE_TOKENS / 2)), true);
  });

  it('Project.updateFile does not parse a text over the budget, and says why', async () => {
    const project = await Project.create();
    const bug = PYTHON_PROGRAM['main.py']!;
    project.updateFile('/p/main.py', bug);
    assert.ok(project.analyze().some((f) => f.rule === 'stale-global-read'));
    const padded = `${bug}${flatList(MAX_FILE_TOKENS / 2)}`;
    project.updateFile('/p/main.py', padded);
    assert.deepEqual(project.analyze(), []);
    assert.match(project.skippedReason('/p/main.py') ?? '', /more than 200,000 tokens/);
    assert.equal(project.text('/p/main.py'), padded);
    project.updateFile('/p/main.py', bug);
    assert.equal(project.skippedReason('/p/main.py'), undefined);
    assert.ok(project.analyze().some((f) => f.rule === 'stale-global-read'));
  });

  it('the CLI skips a 1.9 MB one-line list (under the byte limit) with a note', async () => {
    const root = makeTree({ 'ok.py': 'x = 1\n', 'data.py': flatList(250_000) });
    try {
      assert.ok(fs.statSync(path.join(root, 'data.py')).size < 2 * 1024 * 1024);
      assert.deepEqual(await readSourceFile(path.join(root, 'data.py')), { kind: 'skipped', reason: 'too-many-tokens' });
      const run = runCli(root, '--format', 'json');
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout) as { stats: { files: number }; skipped: Array<{ file: string; reason: string }> };
      assert.equal(out.stats.files, 1);
      assert.deepEqual(out.skipped.map((s) => [s.file, s.reason]), [['data.py', 'too-many-tokens']]);
      const named = runCli(root, 'data.py');
      assert.match(named.stdout, /^note: data\.py: skipped, more than 200,000 tokens \(minified or generated code\?\)\.$/m);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the editor shows an information message on an open file over the budget', async function () {
    this.timeout(60_000);
    const root = makeTree({ 'main.py': `${PYTHON_PROGRAM['main.py']!}${flatList(MAX_FILE_TOKENS / 2)}` });
    const session = await startSession(root);
    try {
      const file = path.join(root, 'main.py');
      await session.open(file, 'python');
      const published = await waitFor('diagnostics on main.py', () => session.diagnostics.get(uriOf(file)));
      assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics));
      const [info] = published.diagnostics;
      assert.equal(info!.severity, 3, 'information');
      assert.equal(info!.source, 'crossproc');
      assert.match(String(info!.message), /did not analyse this file: more than 200,000 tokens/);
    } finally {
      assert.equal(await session.close(), 0);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
