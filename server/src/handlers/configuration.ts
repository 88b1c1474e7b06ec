/**
 * `crossproc.*` settings, read per resource through `workspace/configuration` and cached
 * as one promise per resource (as vscode-eslint does). A malformed value is reported once
 * (notification + output channel) and replaced by its default; the rest keeps working.
 */
import { DidChangeConfigurationNotification } from 'vscode-languageserver/node';
import { isRuleId, type RuleId, type SeveritySetting, type StartMethodSetting } from '../engine/findings';
import {
  DEFAULT_SETTINGS,
  SECTION,
  SEVERITY_SETTINGS,
  START_METHOD_SETTINGS,
  type CrossprocSettings,
} from '../shared/protocol';
import type { ServerContext } from './context';

/**
 * Validates raw `crossproc` settings. Each problem is passed to `report` as one sentence;
 * the offending value falls back to its default.
 */
export function validateSettings(raw: unknown, report: (problem: string) => void): CrossprocSettings {
  const settings: CrossprocSettings = { ...DEFAULT_SETTINGS, rules: {} };
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
  const rules = value['rules'];
  if (rules !== undefined && rules !== null) {
    if (typeof rules !== 'object' || Array.isArray(rules)) {
      report(`"${SECTION}.rules" must map rule ids to "off", "warning" or "error"; ignoring it.`);
    } else {
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

/** Per-resource settings with a cache that `clear()` empties on `didChangeConfiguration`. */
export class SettingsStore {
  private readonly cache = new Map<string, Promise<CrossprocSettings>>();
  /** Settings pushed by a client without `workspace/configuration` support. */
  private global: CrossprocSettings = { ...DEFAULT_SETTINGS, rules: {} };
  /** Problems already shown, so a bad setting does not notify on every keystroke. */
  private readonly reported = new Set<string>();

  constructor(private readonly ctx: ServerContext) {}

  /** Settings for a resource (a document or folder URI); never rejects. */
  get(resource: string | undefined): Promise<CrossprocSettings> {
    if (!this.ctx.client.configuration) return Promise.resolve(this.global);
    const key = resource ?? '';
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.ctx.connection.workspace
        .getConfiguration(resource === undefined ? { section: SECTION } : { scopeUri: resource, section: SECTION })
        .then(
          (raw: unknown) => validateSettings(raw, (problem) => this.report(problem)),
          (error: unknown) => {
            this.ctx.logError('Could not read the crossproc settings; using defaults', error);
            return { ...DEFAULT_SETTINGS, rules: {} };
          },
        );
      this.cache.set(key, pending);
    }
    return pending;
  }

  /** Forgets a closed document's entry, keeping the cache bounded by the open documents. */
  forget(resource: string): void {
    this.cache.delete(resource);
  }

  /** Handles `workspace/didChangeConfiguration`: drop the cache (and take pushed settings). */
  changed(pushed: unknown): void {
    this.cache.clear();
    this.reported.clear();
    if (!this.ctx.client.configuration) {
      const section = (pushed as Record<string, unknown> | null | undefined)?.[SECTION];
      this.global = validateSettings(section, (problem) => this.report(problem));
    }
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

  private report(problem: string): void {
    if (this.reported.has(problem)) return;
    this.reported.add(problem);
    this.ctx.connection.console.warn(`Settings: ${problem}`);
    void this.ctx.connection.window.showWarningMessage(`Crossproc: ${problem}`);
  }
}

/** Creates the settings store for a server. */
export function register(ctx: ServerContext): SettingsStore {
  return new SettingsStore(ctx);
}
