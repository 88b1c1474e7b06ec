/**
 * A real LSP session against the built server (dist/server.js --stdio), driven over
 * JSON-RPC: diagnostics for open documents, the cross-file update (editing the parent
 * module changes the worker module's diagnostics), settings, close, and a clean shutdown.
 * Waits poll for a condition up to a deadline; no fixed sleeps.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { startSession, uriOf, waitFor, type LspSession } from './support/lsp-session';
import { NODE_PROGRAM, PYTHON_PROGRAM, makeTree } from './support/programs';

describe('language server (dist/server.js --stdio)', function () {
  this.timeout(60_000);

  let root: string;
  let session: LspSession;
  const main = () => path.join(root, 'node', 'main.js');
  const worker = () => path.join(root, 'node', 'worker.js');
  const pyMain = () => path.join(root, 'py', 'main.py');

  const staleIn = (file: string, line: number) => (): Diagnostic | undefined =>
    session.diagnostics.get(uriOf(file))?.diagnostics.find((d) => d.code === 'stale-global-read' && d.range.start.line === line);

  before(async () => {
    root = makeTree({
      ...Object.fromEntries(Object.entries(NODE_PROGRAM).map(([k, v]) => [`node/${k}`, v])),
      'py/main.py': PYTHON_PROGRAM['main.py']!,
    });
    // The default client capabilities (incremental sync, diagnostics with related
    // information, code descriptions, data and versions).
    session = await startSession(root, { settings: { enable: true, rules: {}, startMethod: 'portable' } });
    const sync = session.initializeResult.capabilities.textDocumentSync;
    assert.equal(typeof sync === 'object' ? sync.change : sync, 2, 'incremental sync');
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(session.log.join('\n'));
  });

  after(async () => {
    if (session) assert.equal(await session.close(), 0, 'server exits 0 after shutdown + exit');
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('publishes the worker finding with code, doc link, related locations and data', async () => {
    // config.js is never opened: the server must have loaded it from disk.
    await session.open(main(), 'javascript');
    await session.open(worker(), 'javascript');
    const diagnostic = await waitFor('stale-global-read on worker.js:3', staleIn(worker(), 2));
    assert.equal(diagnostic.source, 'crossproc');
    assert.equal(diagnostic.severity, 2, 'warning');
    assert.match(diagnostic.codeDescription?.href ?? '', /^file:.*\/rules\/stale-global-read\.md$/);
    assert.ok(fs.existsSync(new URL(diagnostic.codeDescription!.href)), 'the rule doc exists');
    assert.ok(
      diagnostic.relatedInformation?.some((r) => r.location.uri === uriOf(main())),
      `related information in main.js: ${JSON.stringify(diagnostic.relatedInformation)}`,
    );
    const data = diagnostic.data as { rule: string; symbol: string; fixes: unknown[] };
    assert.equal(data.rule, 'stale-global-read');
    assert.equal(typeof data.symbol, 'string');
    assert.ok(Array.isArray(data.fixes));
  });

  it('updates the worker file when the parent module is edited', async () => {
    // Delete the parent's write `config.settings.mode = 'fast';` (line 3): the bug is gone.
    await session.edit(main(), { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, '');
    await waitFor('worker.js finding to disappear', () => !staleIn(worker(), 2)());
    // Put it back: the finding returns.
    await session.edit(main(), { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, "config.settings.mode = 'fast';\n");
    await waitFor('worker.js finding to come back', staleIn(worker(), 2));
  });

  it('reports Python findings', async () => {
    await session.open(pyMain(), 'python');
    const diagnostic = await waitFor('stale-global-read on main.py:4', staleIn(pyMain(), 3));
    assert.equal(diagnostic.code, 'stale-global-read');
  });

  it('re-reads settings on didChangeConfiguration (per-rule severity, enable=false)', async () => {
    session.settings = { enable: true, rules: { 'stale-global-read': 'error' }, startMethod: 'portable' };
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await waitFor('the finding as an error', () => staleIn(worker(), 2)()?.severity === 1);

    session.settings = { enable: false, rules: {}, startMethod: 'portable' };
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await waitFor('diagnostics cleared', () => session.diagnostics.get(uriOf(worker()))?.diagnostics.length === 0);

    session.settings = { enable: true, rules: {}, startMethod: 'portable' };
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await waitFor('diagnostics back', staleIn(worker(), 2));
  });

  it('clears a document diagnostics on close and keeps serving', async () => {
    await session.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(worker()) } });
    await waitFor('worker.js cleared', () => session.diagnostics.get(uriOf(worker()))?.diagnostics.length === 0);
    // A broken, half-typed edit must not take the server down.
    await session.edit(pyMain(), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'def (:\n  ]] """\n');
    await session.edit(main(), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'const = {{{ ;\n');
    const forWorker = () => session.published.filter((p) => p.uri === uriOf(worker())).length;
    const before = forWorker();
    await session.open(worker(), 'javascript');
    await waitFor('worker.js published again after reopening', () => forWorker() > before);
    assert.equal(session.child.exitCode, null, 'server still running');
  });
});
