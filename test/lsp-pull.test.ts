/**
 * Pull diagnostics (LSP 3.17) through a real session against the built server: with a
 * client that pulls, findings in files that were never opened come back from
 * `workspace/diagnostic`, unchanged reports are `unchanged`, a held workspace request
 * answers when an edit elsewhere changes them, and `workspace/diagnostic/refresh` is sent;
 * nothing is pushed.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  DocumentDiagnosticReport,
  FullDocumentDiagnosticReport,
  WorkspaceDiagnosticReport,
  WorkspaceFullDocumentDiagnosticReport,
} from 'vscode-languageserver-protocol';
import { DEFAULT_CAPABILITIES, startSession, uriOf, waitFor, type LspSession } from './support/lsp-session';
import type { StatusParams } from '../server/src/shared/protocol';
import { NODE_PROGRAM, makeTree } from './support/programs';

describe('language server: pull diagnostics', function () {
  this.timeout(60_000);
  let root: string;
  let session: LspSession;
  const file = (name: string) => path.join(root, name);
  const pullWorkspace = (previousResultIds: Array<{ uri: string; value: string }>) =>
    session.connection.sendRequest<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds });
  const fullFor = (report: WorkspaceDiagnosticReport, name: string) =>
    report.items.find((i): i is WorkspaceFullDocumentDiagnosticReport => i.kind === 'full' && i.uri === uriOf(file(name)));

  before(async () => {
    root = makeTree(NODE_PROGRAM);
    session = await startSession(root, {
      capabilities: {
        ...DEFAULT_CAPABILITIES,
        workspace: { ...DEFAULT_CAPABILITIES.workspace, diagnostics: { refreshSupport: true } },
        textDocument: { ...DEFAULT_CAPABILITIES.textDocument, diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } },
      },
    });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(session.log.join('\n'));
  });

  after(async () => {
    if (session) assert.equal(await session.close(), 0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('announces a diagnostic provider with inter-file dependencies and workspace diagnostics', () => {
    assert.deepEqual(session.initializeResult.capabilities.diagnosticProvider, {
      identifier: 'crossproc',
      interFileDependencies: true,
      workspaceDiagnostics: true,
    });
  });

  let workerReport: WorkspaceFullDocumentDiagnosticReport;

  it('lists the finding in a file that was never opened, and pushes nothing', async () => {
    // the first request may be answered before the background load is done: ask again with what it gave
    let known: Array<{ uri: string; value: string }> = [];
    for (let i = 0; i < 5 && !workerReport; i++) {
      const report = await pullWorkspace(known);
      const hit = fullFor(report, 'worker.js');
      if (hit?.items.length) workerReport = hit;
      known = report.items.flatMap((item) => (item.resultId ? [{ uri: item.uri, value: item.resultId }] : []));
    }
    assert.ok(workerReport, 'worker.js is reported');
    assert.equal(workerReport.version, null, 'not open: no version');
    assert.deepEqual(workerReport.items.map((d) => [d.code, d.range.start.line]), [['stale-global-read', 2]]);
    assert.ok(workerReport.resultId);
    assert.equal(session.published.length, 0, 'a pulling client gets no publishDiagnostics');
    // a workspace without Python: the status says so, so the client leaves the start method out
    const idle = await waitFor('an idle status', () => [...session.notified<StatusParams>('crossproc/status')].reverse().find((x) => x.state === 'idle' && x.assumption));
    assert.equal(idle.assumption?.python, false);
    assert.equal(idle.findings, 1);
  });

  it('answers "unchanged" for a report the client already has', async () => {
    await session.open(file('main.js'), 'javascript');
    const doc = await session.connection.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', {
      textDocument: { uri: uriOf(file('main.js')) },
    });
    assert.equal(doc.kind, 'full');
    assert.deepEqual((doc as FullDocumentDiagnosticReport).items, []);
    const mainId = (doc as FullDocumentDiagnosticReport).resultId!;
    // nothing differs from what the client has: the request is held until something does
    const open = pullWorkspace([
      { uri: workerReport.uri, value: workerReport.resultId! },
      { uri: uriOf(file('main.js')), value: mainId },
    ]);
    const early = await Promise.race([open.then(() => 'answered'), new Promise((r) => setTimeout(() => r('held'), 500))]);
    assert.equal(early, 'held');

    const refreshesBefore = session.notified('workspace/diagnostic/refresh').length;
    // the parent no longer changes the config: worker.js's finding goes, though worker.js was not edited
    const line = NODE_PROGRAM['main.js']!.split('\n').findIndex((l) => l.startsWith('config.settings.mode'));
    await session.edit(file('main.js'), { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, '');
    const answered = await open;
    const cleared = fullFor(answered, 'worker.js');
    assert.deepEqual(
      answered.items.filter((i) => i.uri === uriOf(file('main.js'))).map((i) => i.kind),
      ['unchanged'],
      'main.js (same findings) is unchanged',
    );
    assert.ok(cleared, 'the held request answers with worker.js');
    assert.deepEqual(cleared.items, []);
    assert.notEqual(cleared.resultId, workerReport.resultId);
    await waitFor('workspace/diagnostic/refresh', () => session.notified('workspace/diagnostic/refresh').length > refreshesBefore);

    // the same ids again: everything is unchanged (answered after the hold, or at once on a change)
    const again = await session.connection.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', {
      textDocument: { uri: uriOf(file('main.js')) },
      previousResultId: (doc as FullDocumentDiagnosticReport).resultId,
    });
    assert.equal(again.kind, 'unchanged');
    assert.equal(session.published.length, 0);
  });

  it('a document pull waits for the edit just sent', async () => {
    await session.open(file('worker.js'), 'javascript');
    // put the parent's write back: worker.js (open now) has its finding again
    await session.edit(file('main.js'), { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, "config.settings.mode = 'fast';\n");
    const doc = await session.connection.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', {
      textDocument: { uri: uriOf(file('worker.js')) },
    });
    assert.equal(doc.kind, 'full');
    assert.deepEqual((doc as FullDocumentDiagnosticReport).items.map((d) => d.code), ['stale-global-read']);
  });

  it('closing a file keeps its finding in the workspace report, and pushes nothing', async () => {
    await session.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(file('worker.js')) } });
    const report = await pullWorkspace([]);
    assert.deepEqual(fullFor(report, 'worker.js')?.items.map((d) => d.code), ['stale-global-read']);
    assert.equal(session.published.length, 0);
  });
});
