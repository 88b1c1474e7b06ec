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
export const ANALYZABLE_EXTENSIONS = ['py', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'mts', 'cts'] as const;

/** Glob for file watchers: the analysable extensions. */
export const WATCH_GLOB = `**/*.{${ANALYZABLE_EXTENSIONS.join(',')}}`;

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
}

export const DEFAULT_SETTINGS: Readonly<CrossprocSettings> = Object.freeze({
  enable: true,
  codeLens: true,
  rules: {},
  startMethod: 'portable',
});

/**
 * `Diagnostic.data` of every Crossproc diagnostic. Code actions (next issue) read it back
 * from the diagnostics in a `textDocument/codeAction` request.
 */
export interface DiagnosticData {
  rule: RuleId;
  symbol: string;
  fixes: FixDescriptor[];
}
