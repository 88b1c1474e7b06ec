/**
 * The Crossproc VS Code extension: starts the language server (dist/server.js), shows its
 * diagnostics, registers the commands and keeps the status bar item up to date. Everything
 * else — analysis, settings validation, the project file — happens in the server.
 */
import * as path from 'node:path';
import {
  ConfigurationTarget,
  ProgressLocation,
  StatusBarAlignment,
  Uri,
  commands,
  window,
  workspace,
  type ExtensionContext,
  type LogOutputChannel,
  type QuickPickItem,
  type StatusBarItem,
  type WorkspaceConfiguration,
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
  START_METHOD_SETTINGS,
  STATUS_NOTIFICATION,
  WATCH_GLOB,
  type AnalyzeWorkspaceResult,
  type Assumption,
  type StatusParams,
} from '../../server/src/shared/protocol';

let client: LanguageClient | undefined;

/** Runs that finish faster than this never show the spinner (no flicker on every keystroke). */
const SPINNER_DELAY_MS = 300;

/**
 * The status bar item: "$(sync~spin) Crossproc" while analysing; when idle, the assumption
 * and the findings — "Crossproc: spawn · 3.14 $(warning) 2" (a workspace without Python
 * leaves the assumption out) — and "$(error) Crossproc" when the server failed. Clicking it
 * opens {@link showStatusMenu}: the Problems panel, or changing the start method / version.
 */
class Status {
  private readonly item: StatusBarItem;
  private spinner: NodeJS.Timeout | undefined;
  /** what the last idle status said, for the menu */
  findings: number | undefined;
  assumption: Assumption | undefined;

  constructor() {
    this.item = window.createStatusBarItem('crossproc.status', StatusBarAlignment.Right, 100);
    this.item.name = 'Crossproc';
    this.item.command = COMMANDS.statusMenu;
    this.analysing(true);
    this.item.show();
  }

  /** Shows the spinner now, or after {@link SPINNER_DELAY_MS} unless the run ends first. */
  analysing(now = false): void {
    const show = () => {
      this.spinner = undefined;
      this.item.text = '$(sync~spin) Crossproc';
      this.item.tooltip = 'Crossproc is analysing…';
      this.item.backgroundColor = undefined;
    };
    if (now) {
      this.clearSpinner();
      show();
    } else {
      this.spinner ??= setTimeout(show, SPINNER_DELAY_MS);
    }
  }

  idle(findings: number | undefined, assumption?: Assumption): void {
    this.clearSpinner();
    this.item.backgroundColor = undefined;
    this.findings = findings;
    if (assumption) this.assumption = assumption;
    const a = this.assumption?.python ? this.assumption : undefined;
    const assumed = a ? `: ${a.startMethod} · ${a.pythonVersion ?? 'Python ?'}` : '';
    const count = findings === undefined ? '' : findings === 0 ? ' $(check)' : ` $(warning) ${findings}`;
    this.item.text = `Crossproc${assumed}${count}`;
    const lines = [
      findings === undefined
        ? 'Crossproc'
        : `Crossproc: ${findings === 0 ? 'no findings' : `${findings} finding${findings === 1 ? '' : 's'}`} in the workspace`,
    ];
    if (a) lines.push(describeStartMethod(a), describeVersion(a));
    lines.push('Click to show the problems or change the start method / Python version.');
    this.item.tooltip = lines.join('\n\n');
  }

  error(message?: string): void {
    this.clearSpinner();
    this.item.text = '$(error) Crossproc';
    this.item.tooltip = `Crossproc: ${message ?? 'the language server stopped'} (click for the output and more)`;
  }

  update(params: StatusParams): void {
    if (params.state === 'analysing') this.analysing();
    else if (params.state === 'idle') this.idle(params.findings, params.assumption);
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

const START_METHOD_WORDS: Record<string, string> = {
  portable: "each platform's default: whatever breaks under any of them is reported",
  fork: 'the child is a copy of the parent at the moment it starts',
  spawn: 'a fresh interpreter re-imports the main module',
  forkserver: 'a fresh server process re-imports the main module, then forks',
};

function describeStartMethod(a: Assumption): string {
  const from = a.startMethodFrom === 'default' ? 'the default' : a.startMethodFrom === 'setting' ? 'the crossproc.startMethod setting' : a.startMethodFrom;
  return `Start method: ${a.startMethod} (${from}) — ${START_METHOD_WORDS[a.startMethod] ?? ''}`;
}

function describeVersion(a: Assumption): string {
  if (!a.pythonVersion) return 'Python version: not declared (no requires-python, .python-version or setting)';
  const from = a.pythonVersionFrom === 'setting' ? 'the crossproc.pythonVersion setting' : a.pythonVersionFrom;
  return `Python version: ${a.pythonVersion} (${from})`;
}

/** The Python versions offered in the menu, newest first. */
const PYTHON_VERSIONS = ['3.14', '3.13', '3.12', '3.11', '3.10', '3.9', '3.8'];

/** The folder whose settings the assumption is read from (the server uses the first folder's). */
function assumptionTarget(): { scope: Uri | undefined; target: ConfigurationTarget } {
  const folder = workspace.workspaceFolders?.[0];
  return folder ? { scope: folder.uri, target: ConfigurationTarget.WorkspaceFolder } : { scope: undefined, target: ConfigurationTarget.Global };
}

interface MenuItem extends QuickPickItem {
  run(): Thenable<unknown> | void;
}

/**
 * The status item's menu: show the findings (the Problems panel), change the start method
 * or the Python version (written as the `crossproc.*` setting of the first workspace
 * folder, which the server reads), or show the output.
 */
async function showStatusMenu(status: Status, output: LogOutputChannel): Promise<void> {
  const a = status.assumption;
  const n = status.findings;
  const items: MenuItem[] = [
    {
      label: '$(warning) Show Problems',
      description: n === undefined ? '' : `${n} finding${n === 1 ? '' : 's'} in the workspace`,
      run: () => commands.executeCommand('workbench.actions.view.problems'),
    },
    {
      label: `$(gear) Start method: ${a?.startMethod ?? 'portable'}`,
      description: 'change…',
      detail: a ? describeStartMethod(a) : undefined,
      run: () => pickStartMethod(),
    },
    {
      label: `$(versions) Python version: ${a?.pythonVersion ?? 'not declared'}`,
      description: 'change…',
      detail: a ? describeVersion(a) : undefined,
      run: () => pickPythonVersion(),
    },
    { label: '$(output) Show Output', run: () => output.show() },
  ];
  const picked = await window.showQuickPick(items, { title: 'Crossproc', placeHolder: 'Show the findings, or change what the analysis assumes' });
  await picked?.run();
}

async function pickStartMethod(): Promise<void> {
  const { scope, target } = assumptionTarget();
  const config = workspace.getConfiguration(SECTION, scope);
  const items: Array<QuickPickItem & { value: string | undefined }> = START_METHOD_SETTINGS.map((value) => ({
    label: value,
    description: value === 'portable' ? 'recommended: what breaks on any platform' : undefined,
    detail: START_METHOD_WORDS[value],
    value,
  }));
  if (isSetExplicitly(config, 'startMethod')) {
    items.push({ label: 'Remove the setting', detail: "use the project file's startMethod, else portable", value: undefined });
  }
  const picked = await window.showQuickPick(items, { title: 'Crossproc: start method to assume when the code does not pin one' });
  if (picked) await config.update('startMethod', picked.value, target);
}

async function pickPythonVersion(): Promise<void> {
  const { scope, target } = assumptionTarget();
  const config = workspace.getConfiguration(SECTION, scope);
  const items: Array<QuickPickItem & { value: string | undefined }> = PYTHON_VERSIONS.map((value) => ({
    label: value,
    description: value === '3.14' ? 'Linux defaults to forkserver' : 'Linux defaults to fork',
    value,
  }));
  items.push({ label: 'From the project', detail: "the project file's pythonVersion, requires-python in pyproject.toml, or .python-version", value: undefined });
  const picked = await window.showQuickPick(items, { title: 'Crossproc: the Python version the project targets (its lowest)' });
  if (picked) await config.update('pythonVersion', picked.value, target);
}

function isSetExplicitly(config: WorkspaceConfiguration, key: string): boolean {
  const set = config.inspect(key);
  return (
    set !== undefined &&
    [
      set.globalValue,
      set.workspaceValue,
      set.workspaceFolderValue,
      set.globalLanguageValue,
      set.workspaceLanguageValue,
      set.workspaceFolderLanguageValue,
    ].some((v) => v !== undefined)
  );
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
    if (isSetExplicitly(config, 'startMethod')) return value;
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
    // VS Code shows a finding's message, related locations and doc link right above the hover:
    // the server's hover then adds only what they lack (engine/explain.ts)
    initializationOptions: { hoverBelowDiagnostic: true },
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
    commands.registerCommand(COMMANDS.statusMenu, () => showStatusMenu(status, outputChannel)),
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
