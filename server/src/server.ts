/**
 * The Crossproc language server — wiring only. Each concern lives in server/src/handlers/
 * (one file per concern); this file creates the connection and hooks them together.
 *
 * Started by the client over IPC, or by tests / other editors with `--stdio`.
 */
import * as path from 'node:path';
import {
  CodeActionKind,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as codeActions from './handlers/codeActions';
import * as configuration from './handlers/configuration';
import { createContext, guard, readInitializeParams } from './handlers/context';
import * as diagnostics from './handlers/diagnostics';
import * as hover from './handlers/hover';
import { PULL_IDENTIFIER } from './handlers/pullDiagnostics';
import * as workspace from './handlers/workspace';
import { NOTEBOOK_SYNC, NotebookSync, reloadFromDisk } from './notebook/lsp';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
// The bundle is dist/server.js; rules/ sits beside dist/.
const ctx = createContext(connection, documents, path.join(__dirname, '..'));

const settings = configuration.register(ctx);
const publisher = diagnostics.register(ctx, settings);
const files = workspace.register(ctx, publisher, settings);
const actions = codeActions.register(ctx, connection);
hover.register(ctx, connection, settings);
// notebook cells: synced as notebooks, analysed as their notebook's text, diagnostics per cell
const notebooks = new NotebookSync(ctx, settings, {
  schedule: () => publisher.schedule(),
  reload: async (file) => reloadFromDisk(await ctx.project, file),
});
ctx.cells = notebooks;
publisher.afterAnalysis = (findings, project, cancelled) => notebooks.publish(findings, project, cancelled);

connection.onInitialize((params): InitializeResult => {
  readInitializeParams(ctx, params);
  const caps = params.capabilities;
  actions.capabilities({
    resolve: Boolean(caps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit')),
    documentChanges: Boolean(caps.workspace?.workspaceEdit?.documentChanges),
  });
  // Pull diagnostics when the client can (every analysed file, open or not, in its Problems
  // panel); push otherwise. A change in one file changes findings in others.
  if (ctx.client.pullDiagnostics) publisher.enablePull();
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      ...(ctx.client.pullDiagnostics
        ? { diagnosticProvider: { identifier: PULL_IDENTIFIER, interFileDependencies: true, workspaceDiagnostics: true } }
        : {}),
      notebookDocumentSync: NOTEBOOK_SYNC,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, codeActions.FIX_ALL_KIND], resolveProvider: true },
      executeCommandProvider: { commands: [codeActions.SHOW_DOC_COMMAND] },
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'crossproc' },
  };
});

connection.onInitialized(() => {
  guard(ctx, 'Could not register for configuration changes', settings.registerForChanges());
  if (ctx.client.workspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders((event) =>
      guard(ctx, 'Could not load the changed workspace folders', files.foldersChanged(event)),
    );
  }
  guard(ctx, 'Could not load the workspace files', files.loadAll());
});

connection.onDidChangeConfiguration((params) => {
  settings.changed(params.settings);
  publisher.refresh();
});

connection.onDidChangeWatchedFiles((params) => guard(ctx, 'Could not follow file changes', files.filesChanged(params)));

documents.onDidChangeContent((event) => publisher.documentChanged(event.document));
documents.onDidClose((event) => {
  publisher.documentClosed(event.document);
  guard(ctx, 'Could not reload a closed file', files.documentClosed(event.document));
});

connection.onShutdown(() => {
  files.dispose();
  publisher.dispose();
  ctx.memory.dispose();
});

notebooks.listen(connection);
documents.listen(connection);
connection.listen();
