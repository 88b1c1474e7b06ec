/**
 * A real LSP session against the built server (dist/server.js --stdio), driven over
 * JSON-RPC: diagnostics for open documents, the cross-file update (editing the parent
 * module changes the worker module's diagnostics), settings, close, and a clean shutdown.
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
  InitializeResult,
  PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
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

interface Session {
  child: ChildProcess;
  connection: MessageConnection;
  /** latest publishDiagnostics per URI */
  diagnostics: Map<string, PublishDiagnosticsParams>;
  /** every publishDiagnostics, in order */
  published: PublishDiagnosticsParams[];
  /** what the client answers to workspace/configuration */
  settings: Record<string, unknown>;
  log: string[];
  exited: Promise<number | null>;
}

function startServer(root: string): Session {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const session: Session = {
    child,
    connection,
    diagnostics: new Map(),
    published: [],
    settings: { enable: true, rules: {}, startMethod: 'portable' },
    log: [],
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stderr!.on('data', (chunk: Buffer) => session.log.push(`[stderr] ${chunk.toString()}`));
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    session.published.push(params);
    session.diagnostics.set(params.uri, params);
  });
  connection.onNotification('window/logMessage', (params: { message: string }) => {
    session.log.push(params.message);
  });
  connection.onNotification('window/showMessage', (params: { message: string }) => {
    session.log.push(`[show] ${params.message}`);
  });
  connection.onNotification('$/progress', () => undefined);
  connection.onRequest('workspace/configuration', (params: ConfigurationParams) => params.items.map(() => session.settings));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/showMessageRequest', () => null);
  connection.listen();
  return session;
}

const uriOf = (file: string) => pathToFileURL(file).href;

describe('language server (dist/server.js --stdio)', function () {
  this.timeout(60_000);

  let root: string;
  let session: Session;
  const main = () => path.join(root, 'node', 'main.js');
  const worker = () => path.join(root, 'node', 'worker.js');
  const pyMain = () => path.join(root, 'py', 'main.py');
  const versions = new Map<string, number>();

  const staleIn = (file: string, line: number) => (): Diagnostic | undefined =>
    session.diagnostics.get(uriOf(file))?.diagnostics.find((d) => d.code === 'stale-global-read' && d.range.start.line === line);

  const open = async (file: string, languageId: string) => {
    versions.set(file, 1);
    await session.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uriOf(file), languageId, version: 1, text: fs.readFileSync(file, 'utf8') },
    });
  };

  const edit = async (file: string, range: Diagnostic['range'], text: string) => {
    const version = (versions.get(file) ?? 1) + 1;
    versions.set(file, version);
    await session.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uriOf(file), version },
      contentChanges: [{ range, text }],
    });
  };

  before(async () => {
    root = makeTree({
      ...Object.fromEntries(Object.entries(NODE_PROGRAM).map(([k, v]) => [`node/${k}`, v])),
      'py/main.py': PYTHON_PROGRAM['main.py']!,
    });
    session = startServer(root);
    const params: InitializeParams = {
      processId: process.pid,
      rootUri: uriOf(root),
      workspaceFolders: [{ uri: uriOf(root), name: 'fixture' }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: false } },
        window: { workDoneProgress: true },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true, versionSupport: true },
        },
      },
    };
    const result = await session.connection.sendRequest<InitializeResult>('initialize', params);
    const sync = result.capabilities.textDocumentSync;
    assert.equal(typeof sync === 'object' ? sync.change : sync, 2, 'incremental sync');
    await session.connection.sendNotification('initialized', {});
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(session.log.join('\n'));
  });

  after(async () => {
    if (session) {
      await session.connection.sendRequest('shutdown');
      await session.connection.sendNotification('exit');
      const code = await session.exited;
      session.connection.dispose();
      assert.equal(code, 0, 'server exits 0 after shutdown + exit');
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('publishes the worker finding with code, doc link, related locations and data', async () => {
    // config.js is never opened: the server must have loaded it from disk.
    await open(main(), 'javascript');
    await open(worker(), 'javascript');
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
    await edit(main(), { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, '');
    await waitFor('worker.js finding to disappear', () => !staleIn(worker(), 2)());
    // Put it back: the finding returns.
    await edit(main(), { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, "config.settings.mode = 'fast';\n");
    await waitFor('worker.js finding to come back', staleIn(worker(), 2));
  });

  it('reports Python findings', async () => {
    await open(pyMain(), 'python');
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
    await edit(pyMain(), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'def (:\n  ]] """\n');
    await edit(main(), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'const = {{{ ;\n');
    const forWorker = () => session.published.filter((p) => p.uri === uriOf(worker())).length;
    const before = forWorker();
    await open(worker(), 'javascript');
    await waitFor('worker.js published again after reopening', () => forWorker() > before);
    assert.equal(session.child.exitCode, null, 'server still running');
  });
});
