/**
 * `crossproc.*` settings, read per resource through `workspace/configuration` and cached
 * as one promise per resource (as vscode-eslint does), combined with the project file
 * (crossproc.json / package.json / pyproject.toml, shared/projectConfig.ts) of the
 * resource's workspace folder.
 *
 * Precedence: editor settings > project file > defaults. Rule levels merge per rule; the
 * VS Code client leaves out `startMethod` unless the user set it, so a project file's
 * value is not hidden by the editor's default.
 *
 * A malformed value or project file is reported once per change (notification + output
 * channel) and replaced by its default; the rest keeps working.
 */
import * as path from 'node:path';
import { DidChangeConfigurationNotification, type MessageActionItem } from 'vscode-languageserver/node';
import { isRuleId, type RuleId, type SeveritySetting, type StartMethodSetting } from '../engine/findings';
import {
  IgnoreMatcher,
  emptyProjectConfig,
  formatConfigProblem,
  loadProjectConfig,
  type LoadedProjectConfig,
  type ProjectConfig,
} from '../shared/projectConfig';
import {
  DEFAULT_SETTINGS,
  SECTION,
  SEVERITY_SETTINGS,
  START_METHOD_SETTINGS,
  type Assumption,
  type CrossprocSettings,
} from '../shared/protocol';
import { findPythonVersion, normalizePythonVersion, type FoundPythonVersion } from '../shared/pythonVersion';
import { pathToUri, uriToPath, type ServerContext } from './context';

/** The editor settings a client actually sent: a missing key defers to the project file. */
export type EditorSettings = Partial<CrossprocSettings>;

/**
 * Validates raw `crossproc` settings. Each problem is passed to `report` as one sentence;
 * the offending value falls back to its default.
 */
export function validateSettings(raw: unknown, report: (problem: string) => void): CrossprocSettings {
  return resolveSettings(validateEditorSettings(raw, report), emptyProjectConfig());
}

/** Editor settings over the project file over the defaults. */
export function resolveSettings(editor: EditorSettings, project: ProjectConfig): CrossprocSettings {
  return {
    enable: editor.enable ?? DEFAULT_SETTINGS.enable,
    codeLens: editor.codeLens ?? DEFAULT_SETTINGS.codeLens,
    rules: { ...project.rules, ...editor.rules },
    startMethod: editor.startMethod ?? project.startMethod ?? DEFAULT_SETTINGS.startMethod,
    pythonVersion: editor.pythonVersion ?? project.pythonVersion,
  };
}

/**
 * Validates raw `crossproc` settings, keeping only the keys that were given and are valid.
 * Each problem is passed to `report` as one sentence.
 */
export function validateEditorSettings(raw: unknown, report: (problem: string) => void): EditorSettings {
  const settings: EditorSettings = {};
  if (raw === null || raw === undefined) return settings;
  if (typeof raw !== 'object') {
    report(`"${SECTION}" settings must be an object; using defaults.`);
    return settings;
  }
  const value = raw as Record<string, unknown>;
  if (value['codeLens'] !== undefined) {
    if (typeof value['codeLens'] === 'boolean') settings.codeLens = value['codeLens'];
    else report(`"${SECTION}.codeLens" must be true or false; using true.`);
  }
  if (value['enable'] !== undefined) {
    if (typeof value['enable'] === 'boolean') settings.enable = value['enable'];
    else report(`"${SECTION}.enable" must be true or false; using true.`);
  }
  if (value['startMethod'] !== undefined) {
    if ((START_METHOD_SETTINGS as readonly unknown[]).includes(value['startMethod'])) {
      settings.startMethod = value['startMethod'] as StartMethodSetting;
    } else {
      report(`"${SECTION}.startMethod" must be one of ${START_METHOD_SETTINGS.join(', ')}; using portable.`);
    }
  }
  const version = value['pythonVersion'];
  // "" (the VS Code default) and null mean "from the project"
  if (version !== undefined && version !== null && version !== '') {
    const normal = typeof version === 'string' ? normalizePythonVersion(version) : undefined;
    if (normal !== undefined) settings.pythonVersion = normal;
    else report(`"${SECTION}.pythonVersion" must be a version such as "3.12"; using the project's.`);
  }
  const rules = value['rules'];
  if (rules !== undefined && rules !== null) {
    if (typeof rules !== 'object' || Array.isArray(rules)) {
      report(`"${SECTION}.rules" must map rule ids to "off", "warning" or "error"; ignoring it.`);
    } else {
      settings.rules = {};
      for (const [id, level] of Object.entries(rules as Record<string, unknown>)) {
        if (!isRuleId(id)) {
          report(`"${SECTION}.rules" names an unknown rule "${id}"; ignoring it.`);
        } else if (!(SEVERITY_SETTINGS as readonly unknown[]).includes(level)) {
          report(`"${SECTION}.rules.${id}" must be "off", "warning" or "error"; using the rule's default.`);
        } else {
          settings.rules[id as RuleId] = level as SeveritySetting;
        }
      }
    }
  }
  return settings;
}

/**
 * Per-resource settings: the editor's (cached per resource, emptied on
 * `didChangeConfiguration`) combined with the project file's (cached per folder, emptied
 * when a project file changes on disk).
 */
export class SettingsStore {
  private readonly cache = new Map<string, Promise<CrossprocSettings>>();
  private readonly editorCache = new Map<string, Promise<EditorSettings>>();
  /** loadProjectConfig's per-folder cache */
  private projectCache = new Map<string, Promise<LoadedProjectConfig>>();
  /** findPythonVersion's per-folder cache (pyproject.toml, .python-version), emptied with the project files' */
  private versionCache = new Map<string, Promise<FoundPythonVersion | undefined>>();
  /** Settings pushed by a client without `workspace/configuration` support. */
  private global: EditorSettings = {};
  /** Problems already shown, so a bad setting does not notify on every keystroke. */
  private readonly reported = new Set<string>();

  constructor(private readonly ctx: ServerContext) {}

  /**
   * Settings for a resource (a document or folder URI); never rejects. A file matched by
   * its project file's `ignore` patterns gets `enable: false`.
   */
  get(resource: string | undefined): Promise<CrossprocSettings> {
    const key = resource ?? '';
    let pending = this.cache.get(key);
    if (!pending) {
      pending = Promise.all([this.editor(resource), this.projectFor(resource)]).then(([editor, project]) => {
        const settings = resolveSettings(editor, project.config);
        const file = resource === undefined ? undefined : uriToPath(resource);
        if (file && new IgnoreMatcher(project.config).ignores(file, this.ctx.folders.includes(file))) settings.enable = false;
        return settings;
      });
      this.cache.set(key, pending);
    }
    return pending;
  }

  /**
   * Settings for a file that is not open (published by "Analyze Workspace"): its workspace
   * folder's editor settings, so that thousands of closed files cost one request per folder.
   */
  async getForClosedFile(file: string): Promise<CrossprocSettings> {
    const folder = this.folderOf(file);
    const settings = await this.get(folder === undefined ? pathToUri(file) : pathToUri(folder));
    if (!settings.enable || folder === undefined) return settings;
    const project = await this.projectFor(pathToUri(folder));
    return new IgnoreMatcher(project.config).ignores(file) ? { ...settings, enable: false } : settings;
  }

  /**
   * What the analysis assumes for a folder (the status bar shows it): the start method and
   * Python version, each with where it came from. The version is the setting's, else the
   * project file's, else the one the folder's pyproject.toml / .python-version declares.
   */
  async assumption(folder: string | undefined): Promise<Assumption> {
    const resource = folder === undefined ? undefined : pathToUri(folder);
    const [editor, project] = await Promise.all([this.editor(resource), this.projectFor(resource)]);
    const fileName = project.config.file === undefined ? 'project file' : path.basename(project.config.file);
    const startMethod = editor.startMethod ?? project.config.startMethod ?? DEFAULT_SETTINGS.startMethod;
    const startMethodFrom = editor.startMethod ? 'setting' : project.config.startMethod ? fileName : 'default';
    if (editor.pythonVersion) return { startMethod, startMethodFrom, pythonVersion: editor.pythonVersion, pythonVersionFrom: 'setting' };
    if (project.config.pythonVersion) return { startMethod, startMethodFrom, pythonVersion: project.config.pythonVersion, pythonVersionFrom: fileName };
    const found = folder === undefined ? undefined : await findPythonVersion(folder, this.versionCache).catch(() => undefined);
    return found ? { startMethod, startMethodFrom, pythonVersion: found.version, pythonVersionFrom: found.source } : { startMethod, startMethodFrom };
  }

  /** The `ignore` patterns that apply to a workspace folder's files. */
  async ignoreMatcher(folder: string): Promise<IgnoreMatcher> {
    return new IgnoreMatcher((await this.projectFor(pathToUri(folder))).config);
  }

  /** Forgets a closed document's entry, keeping the cache bounded by the open documents. */
  forget(resource: string): void {
    this.cache.delete(resource);
    this.editorCache.delete(resource);
  }

  /** Handles `workspace/didChangeConfiguration`: drop the cache (and take pushed settings). */
  changed(pushed: unknown): void {
    this.cache.clear();
    this.editorCache.clear();
    this.reported.clear();
    if (!this.ctx.client.configuration) {
      const section = (pushed as Record<string, unknown> | null | undefined)?.[SECTION];
      this.global = validateEditorSettings(section, (problem) => this.report(`Settings: ${problem}`, problem));
    }
  }

  /**
   * A project file (crossproc.json, package.json, pyproject.toml) was created, changed or
   * deleted: read them again on next use. Returns whether what applies to the workspace
   * folders changed, and whether their `ignore` patterns did (the workspace must be reloaded).
   */
  async projectFilesChanged(): Promise<{ changed: boolean; ignoreChanged: boolean }> {
    const before = await this.folderConfigs();
    const assumedBefore = JSON.stringify(await this.assumption(this.ctx.folders[0]));
    this.projectCache = new Map();
    this.versionCache = new Map();
    this.cache.clear();
    this.reported.clear();
    const after = await this.folderConfigs();
    // Without workspace folders nothing can be compared: assume the loose files' file changed.
    // A new requires-python / .python-version changes the assumption without touching our section.
    let changed = this.ctx.folders.length === 0 || JSON.stringify(await this.assumption(this.ctx.folders[0])) !== assumedBefore;
    let ignoreChanged = false;
    for (const [folder, config] of after) {
      const old = before.get(folder);
      if (JSON.stringify(old) !== JSON.stringify(config)) changed = true;
      if (JSON.stringify([old?.dir, old?.ignore]) !== JSON.stringify([config.dir, config.ignore])) ignoreChanged = true;
    }
    return { changed, ignoreChanged };
  }

  /** Asks the client to send `didChangeConfiguration` for our section (after `initialized`). */
  async registerForChanges(): Promise<void> {
    if (!this.ctx.client.configurationRegistration) return;
    try {
      await this.ctx.connection.client.register(DidChangeConfigurationNotification.type, { section: SECTION });
    } catch (error) {
      this.ctx.logError('Could not register for configuration changes', error);
    }
  }

  private async folderConfigs(): Promise<Map<string, ProjectConfig>> {
    const out = new Map<string, ProjectConfig>();
    for (const folder of this.ctx.folders) out.set(folder, (await this.projectFor(pathToUri(folder))).config);
    return out;
  }

  private editor(resource: string | undefined): Promise<EditorSettings> {
    if (!this.ctx.client.configuration) return Promise.resolve(this.global);
    const key = resource ?? '';
    let pending = this.editorCache.get(key);
    if (!pending) {
      pending = this.ctx.connection.workspace
        .getConfiguration(resource === undefined ? { section: SECTION } : { scopeUri: resource, section: SECTION })
        .then(
          (raw: unknown) => validateEditorSettings(raw, (problem) => this.report(`Settings: ${problem}`, problem)),
          (error: unknown) => {
            this.ctx.logError('Could not read the crossproc settings; using defaults', error);
            return {};
          },
        );
      this.editorCache.set(key, pending);
    }
    return pending;
  }

  /** The workspace folder holding `file` (or equal to it). */
  private folderOf(file: string): string | undefined {
    return this.ctx.folders.find((folder) => {
      const rel = path.relative(folder, file);
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    });
  }

  /**
   * The project file for a resource: looked up from its workspace folder (so every file
   * of a folder shares one), or from its own folder when it is outside the workspace.
   * Problems are reported here, once per change. Never rejects.
   */
  private async projectFor(resource: string | undefined): Promise<LoadedProjectConfig> {
    const file = resource === undefined ? this.ctx.folders[0] : uriToPath(resource);
    if (file === undefined) return { config: emptyProjectConfig(), problems: [] };
    const folder = this.folderOf(file);
    const start = folder ?? path.dirname(file);
    try {
      const loaded = await loadProjectConfig(start, this.projectCache);
      for (const problem of loaded.problems) {
        const text = formatConfigProblem(problem, folder);
        const consequence = problem.kind === 'malformed' ? '; using the defaults until it is fixed.' : '';
        this.report(`Project file ${text}${consequence}`, `${text}${consequence}`);
      }
      return loaded;
    } catch (error) {
      this.ctx.logError(`Could not read the project configuration for ${start}; using defaults`, error);
      return { config: emptyProjectConfig(), problems: [] };
    }
  }

  /** One output-channel line and one notification per distinct problem until the next change. */
  private report(logLine: string, problem: string): void {
    if (this.reported.has(problem)) return;
    this.reported.add(problem);
    this.ctx.connection.console.warn(logLine);
    // window/showMessageRequest: a client that never answers (or a closed connection) must
    // not turn into an unhandled rejection, which would end the server.
    this.ctx.connection.window
      .showWarningMessage<MessageActionItem>(`Crossproc: ${problem}`)
      .catch((error: unknown) => this.ctx.logError('Could not show a notification', error));
  }
}

/** Creates the settings store for a server. */
export function register(ctx: ServerContext): SettingsStore {
  return new SettingsStore(ctx);
}
