/**
 * The Crossproc VS Code extension: starts the language server (dist/server.js) and shows
 * its diagnostics. Everything else — analysis, settings validation — happens in the server.
 */
import * as path from 'node:path';
import { window, workspace, type ExtensionContext } from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { LANGUAGE_IDS, OUTPUT_CHANNEL_NAME, SECTION, WATCH_GLOB } from '../../server/src/shared/protocol';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  // dist/client.js and dist/server.js are siblings.
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const outputChannel = window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  context.subscriptions.push(outputChannel);
  const watcher = workspace.createFileSystemWatcher(WATCH_GLOB);
  context.subscriptions.push(watcher);

  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGE_IDS.map((language) => ({ scheme: 'file', language })),
    synchronize: { fileEvents: watcher },
    outputChannel,
  };
  // The id is the settings section, so `crossproc.trace.server` controls message tracing.
  client = new LanguageClient(SECTION, 'Crossproc', serverOptions, clientOptions);
  await client.start();
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  await running?.stop();
}
