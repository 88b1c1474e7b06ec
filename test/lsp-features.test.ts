/**
 * Hover, code actions (listed cheaply, edits in codeAction/resolve, version-checked),
 * "show documentation" and "runs in a worker" code lenses, through a real LSP session
 * against the built server.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeAction, CodeLens, Diagnostic, Hover, MarkupContent, TextDocumentEdit } from 'vscode-languageserver-protocol';
import { applyEdits } from '../server/src/fixes';
import { DEFAULT_CAPABILITIES, startSession, uriOf, waitFor, type LspSession } from './support/lsp-session';
import { PYTHON_PROGRAM, makeTree } from './support/programs';

describe('language server: hover, code actions, code lens', function () {
  this.timeout(60_000);
  let root: string;
  let session: LspSession;
  const main = () => path.join(root, 'main.py');
  const stale = () => session.diagnostics.get(uriOf(main()))?.diagnostics.find((d) => d.code === 'stale-global-read');

  before(async () => {
    root = makeTree({ 'main.py': PYTHON_PROGRAM['main.py']! });
    session = await startSession(root, {
      capabilities: {
        ...DEFAULT_CAPABILITIES,
        workspace: { ...DEFAULT_CAPABILITIES.workspace, workspaceEdit: { documentChanges: true } },
        textDocument: {
          ...DEFAULT_CAPABILITIES.textDocument,
          codeAction: { resolveSupport: { properties: ['edit'] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
          hover: { contentFormat: ['markdown'] },
        },
      },
    });
    const caps = session.initializeResult.capabilities;
    assert.ok(caps.hoverProvider, 'hover');
    assert.ok(caps.codeLensProvider, 'code lens');
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.crossproc'], resolveProvider: true });
    await session.open(main(), 'python');
    await waitFor('stale-global-read on main.py:4', stale);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(session.log.join('\n'));
  });

  after(async () => {
    if (session) assert.equal(await session.close(), 0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('hovering the flagged read explains where each side runs and what each start method shows', async () => {
    const d = stale()!;
    const hover = await session.connection.sendRequest<Hover | null>('textDocument/hover', {
      textDocument: { uri: uriOf(main()) },
      position: { line: d.range.start.line, character: d.range.start.character + 2 },
    });
    const md = (hover?.contents as MarkupContent).value;
    const [first, ...rest] = md.split('\n\n');
    // one sentence first: what happens, where the workers start (linked); the table after it
    assert.match(first!, /^\*\*Crossproc\*\* `stale-global-read`: workers of Pool\.map at \[main\.py:10\]\(file:[^)]*\) read a copy of `GREETING`\.$/);
    assert.match(rest[0]!, /^\| start method \| `fork` .*\| `spawn` .*\| `forkserver` .*\|\n\|---\|:---:\|:---:\|:---:\|\n\| reads \| the value at the fork \| the import-time value \| the import-time value \|$/);
    // Python advice only
    assert.match(md, /\*\*Fix:\*\* pass it with `initializer=`\/`initargs=`/);
    assert.doesNotMatch(md, /workerData|postMessage/);
    assert.doesNotMatch(md, new RegExp(String(d.message).slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'does not repeat the diagnostic');
  });

  it('hovering the task name says it runs in worker processes, with the line that starts them', async () => {
    const hover = await session.connection.sendRequest<Hover | null>('textDocument/hover', {
      textDocument: { uri: uriOf(main()) },
      position: { line: 2, character: 5 },
    });
    const md = (hover?.contents as MarkupContent).value;
    assert.match(md, /`task`\*\* runs in worker processes — Pool\.map, main\.py:10/);
  });

  it('lists the fixes without edits, resolves the preferred one to a version-checked edit that fixes the file', async () => {
    const d = stale()!;
    const actions = await session.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uriOf(main()) },
      range: d.range,
      context: { diagnostics: [d] },
    });
    const titles = actions.map((a) => a.title);
    assert.deepEqual(titles, [
      'Pass GREETING to the workers through the initializer',
      'Disable stale-global-read for this line',
      'Disable stale-global-read for this file',
      'Show documentation for stale-global-read',
    ]);
    const [fix, disable] = actions;
    assert.equal(fix!.isPreferred, true);
    assert.equal(fix!.edit, undefined, 'edits are computed in codeAction/resolve');
    assert.equal(disable!.isPreferred, undefined);

    const resolved = await session.connection.sendRequest<CodeAction>('codeAction/resolve', fix);
    const change = resolved.edit!.documentChanges![0] as TextDocumentEdit;
    assert.equal(change.textDocument.uri, uriOf(main()));
    assert.equal(change.textDocument.version, 1);
    const fixed = applyEdits(fs.readFileSync(main(), 'utf8'), change.edits as Array<{ range: Diagnostic['range']; newText: string }>);
    assert.match(fixed, /Pool\(2, initializer=_init_GREETING, initargs=\(GREETING,\)\)/);
    assert.match(fixed, /def _init_GREETING\(value\):\n\s+global GREETING\n\s+GREETING = value/);
  });

  it('offers no stale edit once the document has changed since the action was listed', async () => {
    const d: Diagnostic = stale()!;
    const [fix] = await session.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uriOf(main()) },
      range: d.range,
      context: { diagnostics: [d] },
    });
    await session.edit(main(), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '# edited\n');
    const resolved = await session.connection.sendRequest<CodeAction>('codeAction/resolve', fix);
    assert.equal(resolved.edit, undefined);
    await session.edit(main(), { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, '');
    await waitFor('the finding back on line 4', () => stale()?.range.start.line === 3);
  });

  it('"Disable RULE for this file" writes the file directive at the top, and the finding goes', async () => {
    const d = stale()!;
    const actions = await session.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uriOf(main()) },
      range: d.range,
      context: { diagnostics: [d] },
    });
    const disable = actions.find((a) => a.title === 'Disable stale-global-read for this file')!;
    assert.equal(disable.isPreferred, undefined, 'a suppression is never the preferred fix');
    const resolved = await session.connection.sendRequest<CodeAction>('codeAction/resolve', disable);
    const change = resolved.edit!.documentChanges![0] as TextDocumentEdit;
    assert.deepEqual(change.edits, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '# crossproc: disable-file=stale-global-read\n' }]);
    await session.edit(main(), change.edits[0]!.range, change.edits[0]!.newText);
    await waitFor('no finding left in main.py', () => session.diagnostics.get(uriOf(main()))?.diagnostics.length === 0);
    await session.edit(main(), { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, '');
    await waitFor('the finding back on line 4', () => stale()?.range.start.line === 3);
  });

  it('"Show documentation" opens the rule doc shipped with the server', async () => {
    await session.connection.sendRequest('workspace/executeCommand', {
      command: 'crossproc.showRuleDocumentation',
      arguments: ['stale-global-read'],
    });
    const shown = await waitFor('window/showDocument', () => session.notifications.get('window/showDocument')?.[0] as { uri: string } | undefined);
    assert.match(shown.uri, /^file:.*\/rules\/stale-global-read\.md$/);
    assert.ok(fs.existsSync(new URL(shown.uri)));
  });

  it('puts a "runs in worker processes" code lens on the task and on nothing else', async () => {
    const lenses = await session.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uriOf(main()) } });
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.title]),
      [[2, 'runs in worker processes — Pool.map, main.py:10']],
    );
  });

  it('turns code lenses off with crossproc.codeLens = false', async () => {
    session.settings = { enable: true, codeLens: false, rules: {} };
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    const lenses = await waitForAsync(async () => {
      const l = await session.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uriOf(main()) } });
      return l.length === 0 ? l : undefined;
    });
    assert.deepEqual(lenses, []);
    session.settings = { enable: true, codeLens: true, rules: {} };
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  });
});

/** Like waitFor, for an async check. */
async function waitForAsync<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('language server: code action requests it did not create', function () {
  this.timeout(60_000);
  let root: string;
  let outside: string;
  let session: LspSession;
  const main = () => path.join(root, 'main.py');
  const stale = () => session.diagnostics.get(uriOf(main()))?.diagnostics.find((d) => d.code === 'stale-global-read');

  before(async () => {
    root = makeTree({ 'main.py': PYTHON_PROGRAM['main.py']! });
    outside = makeTree({ 'elsewhere.py': PYTHON_PROGRAM['main.py']! });
    fs.symlinkSync(path.join(outside, 'elsewhere.py'), path.join(root, 'linked.py'));
    session = await startSession(root, {
      capabilities: {
        ...DEFAULT_CAPABILITIES,
        workspace: { ...DEFAULT_CAPABILITIES.workspace, workspaceEdit: { documentChanges: true } },
        textDocument: {
          ...DEFAULT_CAPABILITIES.textDocument,
          codeAction: { resolveSupport: { properties: ['edit'] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
        },
      },
    });
    await session.open(main(), 'python');
    await waitFor('stale-global-read on main.py:4', stale);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(session.log.join('\n'));
  });

  after(async () => {
    if (session) assert.equal(await session.close(), 0);
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  const codeActions = (uri: string, diagnostics: unknown[]) =>
    session.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics },
    });

  it('answers a diagnostic carrying foreign data with no actions', async () => {
    const d = stale()!;
    const foreign = [
      { ...d, data: { rule: 'stale-global-read' } },
      { ...d, data: { rule: 'stale-global-read', fixes: 'zzz' } },
      { ...d, data: { rule: 'no-such-rule', fixes: [] } },
      { ...d, data: 'zzz' },
      { ...d, range: null },
      { ...d, range: { start: { line: -1, character: 'x' } } },
      null,
      42,
    ];
    for (const diagnostic of foreign) assert.deepEqual(await codeActions(uriOf(main()), [diagnostic]), [], JSON.stringify(diagnostic));
    const partly = await codeActions(uriOf(main()), [{ ...d, data: { ...(d.data as object), fixes: [{ kind: 1 }, null] } }]);
    assert.deepEqual(partly.map((a) => a.title), ['Show documentation for stale-global-read'], 'malformed fix entries are dropped');
  });

  it('resolves a code action with data it did not create to the action unchanged', async () => {
    for (const data of ['zzz', 7, null, { uri: 5 }, { uri: uriOf(main()), version: 'x', rule: 'stale-global-read', line: 3, character: 15, fix: 'k' }]) {
      const resolved = await session.connection.sendRequest<CodeAction>('codeAction/resolve', { title: 'x', data });
      assert.equal(resolved.edit, undefined, JSON.stringify(data));
      assert.equal(resolved.title, 'x');
    }
    assert.ok(!session.log.some((l) => /Request codeAction/.test(l)), session.log.join('\n'));
  });

  it('offers no edit through a symlink to a file outside the workspace', async () => {
    const d = stale()!;
    const [fix] = await codeActions(uriOf(path.join(root, 'linked.py')), [d]);
    assert.equal(fix?.title, 'Pass GREETING to the workers through the initializer');
    const resolved = await session.connection.sendRequest<CodeAction>('codeAction/resolve', fix);
    assert.equal(resolved.edit, undefined);
    const [own] = await codeActions(uriOf(main()), [d]);
    assert.ok((await session.connection.sendRequest<CodeAction>('codeAction/resolve', own)).edit, 'the workspace file itself is fixable');
  });
});
