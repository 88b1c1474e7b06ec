/**
 * What every handler needs: the connection, the open documents, the one in-memory
 * project, what the client supports, and logging. Built once in server.ts.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection, InitializeParams, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Project } from '../engine/project';
import { IdleCollector } from './memory';
import type { CellDocuments } from '../notebook/lsp';

/** What the client said it supports in `initialize`. */
export interface ClientSupport {
  /** `workspace/configuration` (per-resource settings) */
  configuration: boolean;
  /** dynamic registration of `workspace/didChangeConfiguration` */
  configurationRegistration: boolean;
  /** `window/workDoneProgress/create` */
  workDoneProgress: boolean;
  /** `workspace/didChangeWorkspaceFolders` */
  workspaceFolders: boolean;
  /** pull diagnostics (`textDocument/diagnostic`, LSP 3.17): then nothing is pushed */
  pullDiagnostics: boolean;
  /** `workspace/diagnostic/refresh` */
  diagnosticRefresh: boolean;
  /**
   * The editor shows a finding's message, related locations and linked code right above the
   * hover (VS Code); our extension says so in `initializationOptions.hoverBelowDiagnostic`.
   */
  hoverBelowDiagnostic: boolean;
}

export interface ServerContext {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  /** The folder that holds `rules/` (the parent of dist/ in the build). */
  readonly packageRoot: string;
  /** The whole workspace's model: disk files, overridden by open documents. */
  readonly project: Promise<Project>;
  /** told about each analysis and request, to give memory back once the server is idle */
  readonly memory: IdleCollector;
  client: ClientSupport;
  /** Absolute paths of the workspace folders (file scheme only). */
  folders: string[];
  /** Notebook cells (notebook/lsp.ts): a cell document's positions in its notebook's text, and back. */
  cells?: CellDocuments;
  log(message: string): void;
  /** Logs an error with its stack to the output channel; never throws. */
  logError(message: string, error?: unknown): void;
}

/** The file-system path of a `file:` URI; undefined for other schemes (untitled:, vscode-notebook-cell:, ...). */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.normalize(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}

export function createContext(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  packageRoot: string,
): ServerContext {
  const ctx: ServerContext = {
    connection,
    documents,
    packageRoot,
    project: Project.create(),
    memory: new IdleCollector((c) =>
      connection.console.log(`At rest: live heap ${c.heapMb.toFixed(0)} MB${c.compacted ? ' (compacted)' : ''}`),
    ),
    client: {
      configuration: false,
      configurationRegistration: false,
      workDoneProgress: false,
      workspaceFolders: false,
      pullDiagnostics: false,
      diagnosticRefresh: false,
      hoverBelowDiagnostic: false,
    },
    folders: [],
    log: (message) => connection.console.log(message),
    logError: (message, error) => {
      const detail = error instanceof Error ? `\n${error.stack ?? error.message}` : error === undefined ? '' : `\n${String(error)}`;
      connection.console.error(`${message}${detail}`);
    },
  };
  // Without a parser nothing works; say so once, loudly, instead of an unhandled rejection.
  ctx.project.catch((error: unknown) => {
    ctx.logError('Crossproc could not start its analyser', error);
    void connection.window.showErrorMessage('Crossproc could not start its analyser; see the "Crossproc" output channel.');
  });
  return ctx;
}

/**
 * The project file and position a request's document position stands for: a `file:` document
 * as it is, a notebook cell as its notebook file's text ({@link ServerContext.cells}).
 * `settingsUri` is the URI to read settings for (a cell's notebook).
 */
export function documentPosition(
  ctx: ServerContext,
  uri: string,
  position: { line: number; character: number },
): { file: string; position: { line: number; character: number }; settingsUri: string } | undefined {
  const file = uriToPath(uri);
  if (file) return { file, position, settingsUri: uri };
  const cell = ctx.cells?.toEngine(uri, position);
  return cell && { file: cell.file, position: cell.position, settingsUri: cell.notebookUri };
}

/** Records the client's capabilities and workspace folders from `initialize`. */
export function readInitializeParams(ctx: ServerContext, params: InitializeParams): void {
  const caps = params.capabilities;
  ctx.client = {
    configuration: Boolean(caps.workspace?.configuration),
    configurationRegistration: Boolean(caps.workspace?.didChangeConfiguration?.dynamicRegistration),
    workDoneProgress: Boolean(caps.window?.workDoneProgress),
    workspaceFolders: Boolean(caps.workspace?.workspaceFolders),
    pullDiagnostics: caps.textDocument?.diagnostic !== undefined,
    diagnosticRefresh: Boolean(caps.workspace?.diagnostics?.refreshSupport),
    hoverBelowDiagnostic: (params.initializationOptions as { hoverBelowDiagnostic?: unknown } | undefined)?.hoverBelowDiagnostic === true,
  };
  const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  ctx.folders = uris.map(uriToPath).filter((p): p is string => p !== undefined);
}

/**
 * Runs a handler's promise to completion, logging a failure instead of letting it become an
 * unhandled rejection (which would end the server process).
 */
export function guard(ctx: ServerContext, what: string, work: Promise<unknown>): void {
  work.catch((error: unknown) => ctx.logError(what, error));
}
