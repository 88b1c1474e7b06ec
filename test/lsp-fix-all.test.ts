/**
 * Fix-all (issue 15, item 3) through a real LSP session against the built server: the
 * `source.fixAll.crossproc` source action (what `editor.codeActionsOnSave` requests) and the
 * "Fix all Crossproc problems in this file" quick fix apply only the batch-safe fixes, one
 * at a time with re-analysis; the fixed file has no finding left, and it runs correctly
 * under spawn and fork with the fixture runner (it failed before).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeAction, Diagnostic, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { Project } from '../server/src/engine/project';
import { applyEdits } from '../server/src/fixes';
import { minimalEdit } from '../server/src/fixes/fix-all';
import { DEFAULT_CAPABILITIES, startSession, uriOf, waitFor, type LspSession } from './support/lsp-session';
import { PYTHON_PROGRAM, makeTree } from './support/programs';
import { describeResult, runProgram } from './support/run-program';

/** thread-primitive-in-process (use-process-lock), unguarded-spawn (wrap-in-guard), unsendable-payload (lambda-to-def) */
const BROKEN = [
  'import multiprocessing as mp',
  'import threading',
  '',
  'LOCK = threading.Lock()',
  '',
  '',
  'def task(x):',
  '    with LOCK:',
  '        return x * x',
  '',
  '',
  'with mp.Pool(2) as p:',
  '    print(p.map(task, [1, 2, 3]))',
  '    print(p.map(lambda n: n + 1, [1, 2]))',
  '',
].join('\n');
const EXPECTED_OUTPUT = '[1, 4, 9]\n[2, 3]\n';

describe('language server: fix all', function () {
  this.timeout(90_000);
  let root: string;
  let session: LspSession;
  const main = () => path.join(root, 'main.py');
  const stale = () => path.join(root, 'stale.py');
  const diagnosticsOf = (file: string) => session.diagnostics.get(uriOf(file))?.diagnostics ?? [];

  before(async () => {
    root = makeTree({ 'main.py': BROKEN, 'stale.py': PYTHON_PROGRAM['main.py']! });
    session = await startSession(root, {
      capabilities: {
        ...DEFAULT_CAPABILITIES,
        workspace: { ...DEFAULT_CAPABILITIES.workspace, workspaceEdit: { documentChanges: true } },
        textDocument: {
          ...DEFAULT_CAPABILITIES.textDocument,
          codeAction: { resolveSupport: { properties: ['edit'] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } } },
        },
      },
    });
    assert.deepEqual(session.initializeResult.capabilities.codeActionProvider, {
      codeActionKinds: ['quickfix', 'source.fixAll.crossproc'],
      resolveProvider: true,
    });
    await session.open(main(), 'python');
    await session.open(stale(), 'python');
    await waitFor('three findings in main.py', () => diagnosticsOf(main()).length === 3);
    await waitFor('one finding in stale.py', () => diagnosticsOf(stale()).length === 1);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(session.log.join('\n'));
  });

  after(async () => {
    if (session) assert.equal(await session.close(), 0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  const sourceFixAll = (file: string, only: string[]) =>
    session.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uriOf(file) },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only, triggerKind: 2 },
    });

  const editsOf = (action: CodeAction): TextEdit[] => {
    const change = action.edit!.documentChanges![0] as TextDocumentEdit;
    assert.equal(change.textDocument.uri, uriOf(main()));
    assert.equal(change.textDocument.version, 1, 'version-checked');
    return change.edits as TextEdit[];
  };

  it('on save (`source.fixAll`): one edit that leaves no finding, and the fixed program runs under spawn and fork', async () => {
    for (const method of ['spawn', 'fork']) {
      // broken: a hang (spawn: every worker re-runs the unguarded pool) or a pickling error (fork)
      const before = await runProgram({ dir: root, entry: 'main.py', method, timeoutMs: 6000 });
      assert.notEqual(before.stdout, EXPECTED_OUTPUT, `the program is broken under ${method} before the fix: ${describeResult(before)}`);
    }
    for (const only of [['source.fixAll'], ['source.fixAll.crossproc'], ['source']]) {
      const actions = await sourceFixAll(main(), only);
      assert.deepEqual(actions.map((a) => [a.title, a.kind]), [['Fix all Crossproc problems in this file', 'source.fixAll.crossproc']], `only ${only}`);
    }
    const [action] = await sourceFixAll(main(), ['source.fixAll']);
    const edits = editsOf(action!);
    assert.equal(edits.length, 1);
    const fixed = applyEdits(BROKEN, edits);
    assert.match(fixed, /LOCK = mp\.Lock\(\)/);
    assert.match(fixed, /if __name__ == "__main__":\n    with mp\.Pool\(2, initializer=_init_LOCK, initargs=\(LOCK,\)\) as p:/);
    assert.match(fixed, /def _task\(n\):\n    return n \+ 1/);

    const project = await Project.create();
    project.updateFile(main(), fixed);
    assert.deepEqual(project.analyze().map((f) => f.rule), [], `no finding left:\n${fixed}`);
    assert.deepEqual(diagnosticsOf(main()).length, 3, 'computing the fix did not change what the server reports for the open text');

    fs.writeFileSync(main(), fixed);
    try {
      for (const method of ['spawn', 'fork']) {
        const after = await runProgram({ dir: root, entry: 'main.py', method });
        assert.equal(after.stdout, EXPECTED_OUTPUT, `fixed program under ${method}: ${describeResult(after)}`);
        assert.equal(after.code, 0, describeResult(after));
      }
    } finally {
      fs.writeFileSync(main(), BROKEN);
    }
  });

  it('the quick fix "Fix all Crossproc problems in this file" resolves to the same edit; applied, the server reports nothing', async () => {
    const d: Diagnostic = diagnosticsOf(main())[0]!;
    const actions = await session.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uriOf(main()) },
      range: d.range,
      context: { diagnostics: [d] },
    });
    const fixAll = actions.find((a) => a.title === 'Fix all Crossproc problems in this file')!;
    assert.ok(fixAll, actions.map((a) => a.title).join('\n'));
    assert.equal(fixAll.kind, 'quickfix');
    assert.equal(fixAll.edit, undefined, 'computed in codeAction/resolve');
    assert.equal(fixAll.isPreferred, undefined);
    const resolved = await session.connection.sendRequest<CodeAction>('codeAction/resolve', fixAll);
    const [source] = await sourceFixAll(main(), ['source.fixAll']);
    assert.deepEqual(editsOf(resolved), editsOf(source!));
    const edit = editsOf(resolved)[0]!;
    await session.edit(main(), edit.range, edit.newText);
    await waitFor('no finding left in main.py', () => diagnosticsOf(main()).length === 0);
    assert.deepEqual(await sourceFixAll(main(), ['source.fixAll']), [], 'nothing left to fix');
  });

  it('leaves out the fixes that are a choice (a stale read: pass it through the initializer)', async () => {
    assert.deepEqual(await sourceFixAll(stale(), ['source.fixAll']), []);
    const d = diagnosticsOf(stale())[0]!;
    const actions = await session.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uriOf(stale()) },
      range: d.range,
      context: { diagnostics: [d] },
    });
    assert.ok(actions.some((a) => a.title === 'Pass GREETING to the workers through the initializer'));
    assert.ok(!actions.some((a) => a.title === 'Fix all Crossproc problems in this file'));
    assert.deepEqual(await sourceFixAll(stale(), ['quickfix']), [], 'a quick-fix-only request gets no source action');
  });
});

describe('fix all: the edit', () => {
  it('is the changed span only, never splitting a CRLF', () => {
    const before = 'a\r\nb\r\nc\r\n';
    for (const after of ['a\r\nB\r\nc\r\n', 'a\r\nb\r\nx\r\nc\r\n', 'a\r\nc\r\n', 'a\r\nb\r\nc\r\nd\r\n', '']) {
      const e = minimalEdit(before, after);
      assert.equal(applyEdits(before, [e]), after);
      const lines = before.split('\n');
      for (const p of [e.range.start, e.range.end]) assert.ok(!(lines[p.line]![p.character - 1] === '\r' && p.character === lines[p.line]!.length), `splits a CRLF: ${JSON.stringify(e)}`);
    }
    assert.deepEqual(minimalEdit('x = 1\ny = 2\n', 'x = 1\ny = 3\n'), { range: { start: { line: 1, character: 4 }, end: { line: 1, character: 5 } }, newText: '3' });
  });
});
