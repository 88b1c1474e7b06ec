/**
 * The Crossproc VS Code extension: starts the language server (dist/server.js), shows its
 * diagnostics, registers the commands and keeps the status bar item up to date. Everything
 * else — analysis, settings validation, the project file — happens in the server.
 */
import * as path from 'node:path';
import {
  ProgressLocation,
  StatusBarAlignment,
  Uri,
  commands,
  window,
  workspace,
  type ExtensionContext,
  type LogOutputChannel,
  type StatusBarItem,
} from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type ConfigurationParams,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  ANALYZE_WORKSPACE_REQUEST,
  COMMANDS,
  LANGUAGE_IDS,
  OUTPUT_CHANNEL_NAME,
  PROJECT_CONFIG_GLOB,
  SECTION,
  STATUS_NOTIFICATION,
  WATCH_GLOB,
  type AnalyzeWorkspaceResult,
  type StatusParams,
} from '../../server/src/shared/protocol';

let client: LanguageClient | undefined;

/** Runs that finish faster than this never show the spinner (no flicker on every keystroke). */
const SPINNER_DELAY_MS = 300;

/**
 * The status bar item: "$(sync~spin) Crossproc" while analysing, "Crossproc: N" /
 * "$(check) Crossproc" when idle, "$(error) Crossproc" when the server failed. Clicking
 * it shows the output channel.
 */
class Status {
  private readonly item: StatusBarItem;
  private spinner: NodeJS.Timeout | undefined;

  constructor() {
    this.item = window.createStatusBarItem('crossproc.status', StatusBarAlignment.Right, 100);
    this.item.name = 'Crossproc';
    this.item.command = COMMANDS.showOutput;
    this.analysing(true);
    this.item.show();
  }

  /** Shows the spinner now, or after {@link SPINNER_DELAY_MS} unless the run ends first. */
  analysing(now = false): void {
    const show = () => {
      this.spinner = undefined;
      this.item.text = '$(sync~spin) Crossproc';
      this.item.tooltip = 'Crossproc is analysing… (click to show the output)';
      this.item.backgroundColor = undefined;
    };
    if (now) {
      this.clearSpinner();
      show();
    } else {
      this.spinner ??= setTimeout(show, SPINNER_DELAY_MS);
    }
  }

  idle(findings: number | undefined): void {
    this.clearSpinner();
    this.item.backgroundColor = undefined;
    if (findings === undefined) {
      this.item.text = 'Crossproc';
      this.item.tooltip = 'Crossproc (click to show the output)';
    } else if (findings === 0) {
      this.item.text = '$(check) Crossproc';
      this.item.tooltip = 'Crossproc: no findings in the workspace (click to show the output)';
    } else {
      this.item.text = `Crossproc: ${findings}`;
      this.item.tooltip = `Crossproc: ${findings} finding${findings === 1 ? '' : 's'} in the workspace (click to show the output)`;
    }
  }

  error(message?: string): void {
    this.clearSpinner();
    this.item.text = '$(error) Crossproc';
    this.item.tooltip = `Crossproc: ${message ?? 'the language server stopped'} (click to show the output)`;
  }

  update(params: StatusParams): void {
    if (params.state === 'analysing') this.analysing();
    else if (params.state === 'idle') this.idle(params.findings);
    else this.error(params.message);
  }

  dispose(): void {
    this.clearSpinner();
    this.item.dispose();
  }

  private clearSpinner(): void {
    if (this.spinner) clearTimeout(this.spinner);
    this.spinner = undefined;
  }
}

/**
 * VS Code answers `workspace/configuration` with effective values, defaults included.
 * `startMethod` is left out unless the user set it somewhere, so that a project file's
 * `startMethod` is not hidden by the editor's default (precedence: editor settings >
 * project file > defaults). The other defaults equal the project file's "not set".
 */
function withoutDefaultStartMethod(params: ConfigurationParams, values: unknown[]): unknown[] {
  return values.map((value, i) => {
    const item = params.items[i];
    if (item?.section !== SECTION || typeof value !== 'object' || value === null) return value;
    const config = workspace.getConfiguration(SECTION, item.scopeUri ? Uri.parse(item.scopeUri) : undefined);
    const set = config.inspect('startMethod');
    const explicit =
      set !== undefined &&
      [
        set.globalValue,
        set.workspaceValue,
        set.workspaceFolderValue,
        set.globalLanguageValue,
        set.workspaceLanguageValue,
        set.workspaceFolderLanguageValue,
      ].some((v) => v !== undefined);
    if (explicit) return value;
    const { startMethod: _default, ...rest } = value as Record<string, unknown>;
    return rest;
  });
}

async function analyzeWorkspace(status: Status, output: LogOutputChannel): Promise<void> {
  const running = client;
  if (!running || running.state !== State.Running) {
    void window.showErrorMessage('Crossproc: the language server is not running. Try "Crossproc: Restart Server".');
    return;
  }
  try {
    const result = await window.withProgress(
      { location: ProgressLocation.Notification, title: 'Crossproc: analysing the workspace…' },
      () => {
        status.analysing(true);
        return running.sendRequest<AnalyzeWorkspaceResult>(ANALYZE_WORKSPACE_REQUEST);
      },
    );
    const { error, warning } = result.findings;
    const seconds = (result.durationMs / 1000).toFixed(1);
    void window.showInformationMessage(
      `Crossproc analysed ${result.files} file${result.files === 1 ? '' : 's'} in ${seconds} s: ` +
        `${error} error${error === 1 ? '' : 's'}, ${warning} warning${warning === 1 ? '' : 's'}.`,
    );
  } catch (error) {
    output.error(`Analyze Workspace failed: ${error instanceof Error ? error.message : String(error)}`);
    status.error('Analyze Workspace failed');
    void window.showErrorMessage('Crossproc: Analyze Workspace failed; see the "Crossproc" output channel.');
  }
}

export async function activate(context: ExtensionContext): Promise<void> {
  // dist/client.js and dist/server.js are siblings.
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const outputChannel = window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  context.subscriptions.push(outputChannel);
  // Source files, and the project files (crossproc.json, package.json, pyproject.toml)
  // whose changes the server applies without a restart.
  const watchers = [workspace.createFileSystemWatcher(WATCH_GLOB), workspace.createFileSystemWatcher(PROJECT_CONFIG_GLOB)];
  context.subscriptions.push(...watchers);
  const status = new Status();
  context.subscriptions.push(status);

  const clientOptions: LanguageClientOptions = {
    // Python cells of notebooks too, for hover and code actions (the server syncs them as notebooks)
    documentSelector: [...LANGUAGE_IDS.map((language) => ({ scheme: 'file', language })), { scheme: 'vscode-notebook-cell', language: 'python' }],
    synchronize: { fileEvents: watchers },
    outputChannel,
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const values = await next(params, token);
          return Array.isArray(values) ? withoutDefaultStartMethod(params, values) : values;
        },
      },
    },
  };
  // The id is the settings section, so `crossproc.trace.server` controls message tracing.
  const languageClient = new LanguageClient(SECTION, 'Crossproc', serverOptions, clientOptions);
  client = languageClient;
  context.subscriptions.push(
    languageClient.onNotification(STATUS_NOTIFICATION, (params: StatusParams) => status.update(params)),
    languageClient.onDidChangeState((event) => {
      if (event.newState === State.Starting) status.analysing(true);
      else if (event.newState === State.Running) status.idle(undefined);
      else status.error();
    }),
    commands.registerCommand(COMMANDS.showOutput, () => outputChannel.show()),
    commands.registerCommand(COMMANDS.analyzeWorkspace, () => analyzeWorkspace(status, outputChannel)),
    commands.registerCommand(COMMANDS.restartServer, async () => {
      try {
        await languageClient.restart();
      } catch (error) {
        outputChannel.error(`Could not restart the server: ${error instanceof Error ? error.message : String(error)}`);
        status.error('could not restart the language server');
      }
    }),
  );
  await languageClient.start();
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  await running?.stop();
}
