/**
 * Names, settings and payload shapes shared by the client bundle, the server bundle and the
 * CLI. Keep this module free of runtime dependencies (no `vscode`, no engine code): the
 * client imports it too.
 */
import type { FixDescriptor, RuleId, SeveritySetting, StartMethodSetting } from '../engine/findings';

/** Settings section and language-client id (so `crossproc.trace.server` works). */
export const SECTION = 'crossproc';

/** Shown in the Output panel; server errors go there. */
export const OUTPUT_CHANNEL_NAME = 'Crossproc';

/** `Diagnostic.source` of every finding. */
export const DIAGNOSTIC_SOURCE = 'crossproc';

/** VS Code language ids the extension lints. */
export const LANGUAGE_IDS = ['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact'] as const;

/** File extensions the engine analyses (mirrors `isAnalyzable` in the engine). */
export const ANALYZABLE_EXTENSIONS = ['py', 'ipynb', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'mts', 'cts'] as const;

/** Glob for file watchers: the analysable extensions. */
export const WATCH_GLOB = `**/*.{${ANALYZABLE_EXTENSIONS.join(',')}}`;

/** The project configuration files (shared/projectConfig.ts), in the order tried within a folder. */
export const PROJECT_CONFIG_FILE_NAMES = ['crossproc.json', 'package.json', 'pyproject.toml'] as const;

/** pyenv's / uv's file naming the project's Python version (pyproject.toml's requires-python comes first). */
export const PYTHON_VERSION_FILE_NAME = '.python-version';

/** Glob for file watchers: every file that can hold a project configuration, and `.python-version`. */
export const PROJECT_CONFIG_GLOB = `**/{${[...PROJECT_CONFIG_FILE_NAMES, PYTHON_VERSION_FILE_NAME].join(',')}}`;

/** Folder names the CLI never walks: dependencies, virtualenvs, VCS and cache folders. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'venv',
  '.venv',
  '__pycache__',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
]);

/**
 * Folder names the language server does not load from disk: the CLI's, plus build output
 * (`dist/`), which would otherwise duplicate every module of a bundled project. A file
 * there is still analysed when opened.
 */
export const EDITOR_SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([...SKIPPED_DIRECTORIES, 'dist']);

/** The start methods accepted by `crossproc.startMethod` and `--start-method`. */
export const START_METHOD_SETTINGS: readonly StartMethodSetting[] = ['portable', 'fork', 'spawn', 'forkserver'];

/** The levels accepted by `crossproc.rules` and `--rule`. */
export const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['off', 'warning', 'error'];

/** `crossproc.*` settings, as the server uses them after validation. */
export interface CrossprocSettings {
  enable: boolean;
  /** "runs in a worker" code lenses above worker-side functions */
  codeLens: boolean;
  rules: Partial<Record<RuleId, SeveritySetting>>;
  startMethod: StartMethodSetting;
  /** `major.minor`; undefined = from the project file, pyproject.toml or .python-version */
  pythonVersion?: string;
}

export const DEFAULT_SETTINGS: Readonly<CrossprocSettings> = Object.freeze({
  enable: true,
  codeLens: true,
  rules: {},
  startMethod: 'portable',
});

/** Command ids (package.json `contributes.commands`), registered by the client. */
export const COMMANDS = {
  analyzeWorkspace: 'crossproc.analyzeWorkspace',
  showOutput: 'crossproc.showOutput',
  restartServer: 'crossproc.restartServer',
  /** the status bar item's menu: show the problems, change the assumptions */
  statusMenu: 'crossproc.statusMenu',
} as const;

/**
 * Client → server request: (re)load every file of the workspace folders, analyse, and
 * publish the findings of all of them (not only the open ones) from now on. No params.
 */
export const ANALYZE_WORKSPACE_REQUEST = 'crossproc/analyzeWorkspace';

/** Result of {@link ANALYZE_WORKSPACE_REQUEST}. */
export interface AnalyzeWorkspaceResult {
  /** source files in the analysed project */
  files: number;
  /** findings after the rule settings, per severity */
  findings: { error: number; warning: number };
  durationMs: number;
}

/** Server → client notification around every analysis run (drives the status bar item). */
export const STATUS_NOTIFICATION = 'crossproc/status';

export interface StatusParams {
  state: 'analysing' | 'idle' | 'error';
  /** with `idle`: findings in the workspace after the rule settings */
  findings?: number;
  /** with `error`: what failed, one line */
  message?: string;
  /** with `idle`: what the analysis assumed for the (first) workspace folder */
  assumption?: Assumption;
  /** with `analysing`: how long the server waited after the last change before starting (its debounce), ms */
  debounceMs?: number;
}

/** The start method and Python version the analysis assumes, and where each came from. */
export interface Assumption {
  startMethod: StartMethodSetting;
  /** `setting`, the project file's name (`crossproc.json`...), or `default` */
  startMethodFrom: string;
  /** `major.minor`, when known */
  pythonVersion?: string;
  /** `setting`, the project file's name, `pyproject.toml requires-python ">=3.10"`, `.python-version` */
  pythonVersionFrom?: string;
  /** whether the project has Python files at all (else the status bar leaves the assumption out) */
  python?: boolean;
}

/**
 * `Diagnostic.data` of every Crossproc diagnostic. Code actions (next issue) read it back
 * from the diagnostics in a `textDocument/codeAction` request.
 */
export interface DiagnosticData {
  rule: RuleId;
  symbol: string;
  fixes: FixDescriptor[];
}
