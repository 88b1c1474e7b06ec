/**
 * A real LSP client session against the built server (dist/server.js --stdio) over
 * JSON-RPC, for the language-server tests. Waits poll a condition up to a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  ConfigurationParams,
  InitializeParams,
  InitializeResult,
  PublishDiagnosticsParams,
  Range,
} from 'vscode-languageserver-protocol';

/** the built server; CROSSPROC_SERVER names another build's (bench/server.ts compares builds) */
export const SERVER = process.env.CROSSPROC_SERVER || path.join(__dirname, '..', '..', 'dist', 'server.js');
export const DEADLINE_MS = 20_000;

/** Polls `check` every 25 ms until it returns a value, or fails with `what` after the deadline. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = DEADLINE_MS): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const uriOf = (file: string): string => pathToFileURL(file).href;

export const DEFAULT_CAPABILITIES: ClientCapabilities = {
  workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: false } },
  window: { workDoneProgress: true },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true, versionSupport: true },
  },
};

export interface ShownMessage {
  type: number;
  message: string;
}

export interface LspSession {
  child: ChildProcess;
  connection: MessageConnection;
  /** latest publishDiagnostics per URI */
  diagnostics: Map<string, PublishDiagnosticsParams>;
  /** every publishDiagnostics, in order */
  published: PublishDiagnosticsParams[];
  /** custom and standard notifications the server sent, by method, in order */
  notifications: Map<string, unknown[]>;
  /** every notification the server sent, in order of arrival */
  received: Array<{ method: string; params: unknown }>;
  /** what the user is shown: window/showMessage and window/showMessageRequest, in order */
  shown: ShownMessage[];
  /** the live list of `method`'s notifications (params), in order (empty until one arrives) */
  notified<T>(method: string): T[];
  /** what the client answers to workspace/configuration (per item) */
  settings: Record<string, unknown>;
  log: string[];
  exited: Promise<number | null>;
  initializeResult: InitializeResult;
  open(file: string, languageId: string): Promise<void>;
  edit(file: string, range: Range, text: string): Promise<void>;
  /** shutdown + exit; resolves to the server's exit code */
  close(): Promise<number | null>;
}

/** Starts the server on `root`, initializes it (with `capabilities`) and sends `initialized`. */
export async function startSession(
  root: string,
  options: { capabilities?: ClientCapabilities; settings?: Record<string, unknown>; folderName?: string; server?: string } = {},
): Promise<LspSession> {
  const child = spawn(process.execPath, [options.server ?? SERVER, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const versions = new Map<string, number>();
  const notifications = new Map<string, unknown[]>();
  const received: LspSession['received'] = [];
  const log: string[] = [];
  const notified = <T>(method: string): T[] => {
    let list = notifications.get(method);
    if (!list) notifications.set(method, (list = []));
    return list as T[];
  };
  const record = (method: string, params: unknown) => {
    received.push({ method, params });
    notified(method).push(params);
  };
  const session = {
    child,
    connection,
    diagnostics: new Map<string, PublishDiagnosticsParams>(),
    published: [] as PublishDiagnosticsParams[],
    notifications,
    received,
    shown: [] as ShownMessage[],
    notified,
    settings: options.settings ?? { enable: true, codeLens: true, rules: {} },
    log,
    exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))),
  } as LspSession;
  const onNotification = <P>(method: string, handle: (params: P) => void = () => undefined) =>
    connection.onNotification(method, (params: P) => {
      record(method, params);
      handle(params);
    });
  /** what the user sees: showMessage, and showMessageRequest (what the server's showWarningMessage sends) */
  const show = (params: ShownMessage) => {
    session.shown.push(params);
    log.push(`[show] ${params.message}`);
  };
  child.stderr!.on('data', (chunk: Buffer) => log.push(`[stderr] ${chunk.toString()}`));
  onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    session.published.push(params);
    session.diagnostics.set(params.uri, params);
  });
  onNotification('window/logMessage', (params: { message: string }) => log.push(params.message));
  onNotification('window/showMessage', show);
  onNotification('crossproc/status');
  connection.onNotification('$/progress', () => undefined);
  connection.onRequest('workspace/configuration', (params: ConfigurationParams) => params.items.map(() => session.settings));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/showMessageRequest', (params: ShownMessage) => {
    show(params);
    return null;
  });
  connection.onRequest('window/showDocument', (params: unknown) => {
    notified('window/showDocument').push(params);
    return { success: true };
  });
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.onRequest('workspace/diagnostic/refresh', () => {
    notified('workspace/diagnostic/refresh').push(null);
    return null;
  });
  connection.listen();

  session.open = async (file, languageId) => {
    versions.set(file, 1);
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uriOf(file), languageId, version: 1, text: fs.readFileSync(file, 'utf8') },
    });
  };
  session.edit = async (file, range, text) => {
    const version = (versions.get(file) ?? 1) + 1;
    versions.set(file, version);
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uriOf(file), version },
      contentChanges: [{ range, text }],
    });
  };
  session.close = async () => {
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    const code = await session.exited;
    connection.dispose();
    return code;
  };

  const params: InitializeParams = {
    processId: process.pid,
    rootUri: uriOf(root),
    workspaceFolders: [{ uri: uriOf(root), name: options.folderName ?? 'fixture' }],
    capabilities: options.capabilities ?? DEFAULT_CAPABILITIES,
  };
  session.initializeResult = await connection.sendRequest<InitializeResult>('initialize', params);
  await connection.sendNotification('initialized', {});
  return session;
}
