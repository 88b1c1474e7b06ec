/**
 * The language server and the project file, over a real LSP session against the built
 * server (dist/server.js --stdio): a crossproc.json written while the server runs applies
 * on `workspace/didChangeWatchedFiles` without a restart; a malformed one is reported once
 * and the defaults apply; `crossproc/analyzeWorkspace` answers a summary and publishes
 * never-opened files; `crossproc/status` brackets each analysis.
 * Waits poll for a condition up to a deadline; no fixed sleeps.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type {
  ConfigurationParams,
  Diagnostic,
  InitializeParams,
  PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import type { AnalyzeWorkspaceResult, StatusParams } from '../server/src/shared/protocol';
import { NODE_PROGRAM, PYTHON_PROGRAM, makeTree } from './support/programs';

const SERVER = path.join(__dirname, '..', 'dist', 'server.js');
const DEADLINE_MS = 20_000;

/** Polls `check` every 25 ms until it returns a value, or fails with `what` after the deadline. */
async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = DEADLINE_MS): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const uriOf = (file: string) => pathToFileURL(file).href;

/** FileChangeType */
const CREATED = 1;
const CHANGED = 2;
const DELETED = 3;

describe('language server: project file, Analyze Workspace, status', function () {
  this.timeout(60_000);

  let root: string;
  let child: ChildProcess;
  let connection: MessageConnection;
  let exited: Promise<number | null>;
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const statuses: StatusParams[] = [];
  const shown: Array<{ type: number; message: string }> = [];
  const log: string[] = [];

  const worker = () => path.join(root, 'node', 'worker.js');
  const pyMain = () => path.join(root, 'py', 'main.py');
  const configFile = () => path.join(root, 'crossproc.json');
  const staleIn = (file: string) => (): Diagnostic | undefined =>
    diagnostics.get(uriOf(file))?.diagnostics.find((d) => d.code === 'stale-global-read');
  const cleared = (file: string) => () => diagnostics.get(uriOf(file))?.diagnostics.length === 0;

  const writeConfig = async (text: string | undefined, type: number) => {
    if (text === undefined) fs.rmSync(configFile(), { force: true });
    else fs.writeFileSync(configFile(), text);
    await connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(configFile()), type }] });
  };

  before(async () => {
    root = makeTree({
      ...Object.fromEntries(Object.entries(NODE_PROGRAM).map(([k, v]) => [`node/${k}`, v])),
      'py/main.py': PYTHON_PROGRAM['main.py']!,
    });
    child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    child.stderr!.on('data', (chunk: Buffer) => log.push(`[stderr] ${chunk.toString()}`));
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      diagnostics.set(params.uri, params);
    });
    connection.onNotification('crossproc/status', (params: StatusParams) => {
      statuses.push(params);
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => {
      log.push(params.message);
    });
    // Notifications the user sees: showMessage, and showMessageRequest (what the server's
    // showWarningMessage sends).
    const onShow = (params: { type: number; message: string }) => {
      shown.push(params);
      log.push(`[show] ${params.message}`);
    };
    connection.onNotification('window/showMessage', onShow);
    connection.onNotification('$/progress', () => undefined);
    // As the VS Code client answers: no startMethod unless the user set one.
    connection.onRequest('workspace/configuration', (params: ConfigurationParams) =>
      params.items.map(() => ({ enable: true, codeLens: true, rules: {} })),
    );
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/showMessageRequest', (params: { type: number; message: string }) => {
      onShow(params);
      return null;
    });
    connection.listen();
    const params: InitializeParams = {
      processId: process.pid,
      rootUri: uriOf(root),
      workspaceFolders: [{ uri: uriOf(root), name: 'fixture' }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: false } },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true } },
      },
    };
    await connection.sendRequest('initialize', params);
    await connection.sendNotification('initialized', {});
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(log.join('\n'));
  });

  after(async () => {
    if (connection) {
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      assert.equal(await exited, 0, 'server exits 0 after shutdown + exit');
      connection.dispose();
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('sends crossproc/status: analysing, then idle with the workspace finding count', async () => {
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uriOf(worker()), languageId: 'javascript', version: 1, text: fs.readFileSync(worker(), 'utf8') },
    });
    await waitFor('stale-global-read on worker.js', staleIn(worker()));
    const idle = await waitFor('an idle status', () => statuses.find((s) => s.state === 'idle'));
    assert.ok(statuses.findIndex((s) => s.state === 'analysing') < statuses.indexOf(idle), 'analysing comes first');
    // worker.js and the never-opened py/main.py each have a stale read.
    assert.ok((idle.findings ?? 0) >= 2, JSON.stringify(statuses));
  });

  it('applies a crossproc.json written while running (didChangeWatchedFiles), without a restart', async () => {
    await writeConfig('{\n  // turned off for this project\n  "rules": { "stale-global-read": "off" },\n}\n', CREATED);
    await waitFor('worker.js finding to disappear', cleared(worker()));
    await writeConfig('{ "rules": { "stale-global-read": "error" } }', CHANGED);
    await waitFor('the finding back as an error', () => staleIn(worker())()?.severity === 1);
  });

  it('reports a malformed crossproc.json once (notification + output) and falls back to the defaults', async () => {
    const before = shown.length;
    await writeConfig('{ "rules": { "stale-global-read": "off" ', CHANGED);
    await waitFor('the finding back at its default severity', () => staleIn(worker())()?.severity === 2);
    const message = await waitFor('a warning notification', () => shown.slice(before).find((m) => /crossproc\.json/.test(m.message)));
    assert.equal(message.type, 2, 'a warning');
    assert.match(message.message, /^Crossproc: crossproc\.json: invalid JSON at line 1, column \d+: .+; using the defaults until it is fixed\.$/);
    assert.ok(log.some((line) => line.startsWith('Project file crossproc.json: invalid JSON')), 'in the output channel');
    // More analyses (an edit) must not repeat the notification.
    const runs = statuses.length;
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uriOf(worker()), version: 2 },
      contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '\n' }],
    });
    await waitFor('another analysis', () => statuses.slice(runs).some((s) => s.state === 'idle'));
    assert.equal(shown.slice(before).length, 1, JSON.stringify(shown.slice(before)));
  });

  it('crossproc/analyzeWorkspace returns a summary and publishes never-opened files, honouring ignore', async () => {
    await writeConfig(undefined, DELETED);
    let summary = await connection.sendRequest<AnalyzeWorkspaceResult>('crossproc/analyzeWorkspace');
    assert.equal(summary.files, 4, JSON.stringify(summary));
    assert.equal(summary.findings.error, 0);
    assert.ok(summary.findings.warning >= 2, JSON.stringify(summary));
    assert.ok(Number.isInteger(summary.durationMs) && summary.durationMs >= 0);
    await waitFor('py/main.py (never opened) published', staleIn(pyMain()));

    // Ignoring py/ drops it from the project and clears what was published for it.
    await writeConfig('{ "ignore": ["py/"] }', CREATED);
    await waitFor('py/main.py cleared', cleared(pyMain()));
    summary = await connection.sendRequest<AnalyzeWorkspaceResult>('crossproc/analyzeWorkspace');
    assert.equal(summary.files, 3, JSON.stringify(summary));
  });

  it('takes startMethod from a pyproject.toml written while running, when the editor does not set it', async () => {
    await writeConfig(undefined, DELETED); // crossproc.json would win over pyproject.toml
    await connection.sendRequest('crossproc/analyzeWorkspace');
    await waitFor('py/main.py published with the stale read', staleIn(pyMain()));
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "demo"\n\n[tool.crossproc]\nstartMethod = "fork"\n');
    await connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(path.join(root, 'pyproject.toml')), type: CREATED }],
    });
    // Under fork the Python worker inherits GREETING: no finding.
    await waitFor('py/main.py cleared under fork', cleared(pyMain()));
    assert.equal(child.exitCode, null, 'server still running');
  });
});

describe('language server: a large workspace loads in the background', function () {
  this.timeout(60_000);

  it("publishes an open file's diagnostics before the workspace load finishes", async () => {
    const files: Record<string, string> = Object.fromEntries(Object.entries(NODE_PROGRAM).map(([k, v]) => [`app/${k}`, v]));
    for (let i = 0; i < 3000; i++) files[`zz-generated/m${i}.js`] = `module.exports.value${i} = ${i};\n`;
    const root = makeTree(files);
    const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const events: string[] = [];
    const workerUri = uriOf(path.join(root, 'app', 'worker.js'));
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      if (params.uri === workerUri) events.push('published');
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => {
      if (params.message.startsWith('Loaded ')) events.push('loaded');
    });
    connection.onNotification('$/progress', () => undefined);
    connection.onNotification('crossproc/status', () => undefined);
    connection.onRequest('workspace/configuration', (params: ConfigurationParams) => params.items.map(() => ({})));
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();
    try {
      await connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: uriOf(root),
        workspaceFolders: [{ uri: uriOf(root), name: 'large' }],
        capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } },
      } satisfies InitializeParams);
      await connection.sendNotification('initialized', {});
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: workerUri, languageId: 'javascript', version: 1, text: NODE_PROGRAM['worker.js'] },
      });
      await waitFor('the workspace load to finish', () => events.includes('loaded'));
      assert.equal(events[0], 'published', `events: ${events.slice(0, 5).join(', ')}`);
    } finally {
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      await exited;
      connection.dispose();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
