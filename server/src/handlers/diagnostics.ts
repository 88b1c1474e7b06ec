/**
 * Analysis scheduling and `textDocument/publishDiagnostics`.
 *
 * Edits are debounced; each run feeds the edited documents into the project, analyses the
 * whole project once, and republishes every open document whose diagnostics changed —
 * which is how editing a parent module updates a worker module's squiggles.
 */
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, StartMethodSetting } from '../engine/findings';
import { AnalysisCancelled, languageOf, projectText, type ExtractedModel } from '../engine/project';
import { isOverBudget } from '../shared/budget';
import { OFF_THREAD_CHARS, OffThreadParser } from './offThread';
import {
  DIAGNOSTIC_SOURCE,
  STATUS_NOTIFICATION,
  type AnalyzeWorkspaceResult,
  type DiagnosticData,
  type StatusParams,
} from '../shared/protocol';
import { ruleDocUrl } from '../shared/ruleInfo';
import { applyRuleSettings } from '../shared/severity';
import type { SettingsStore } from './configuration';
import { pathToUri, uriToPath, type ServerContext } from './context';
import { PullReports, type FileReport } from './pullDiagnostics';
import { isNotebookPath } from '../notebook/cells';
import type { Project } from '../engine/project';

/** Delay between the last keystroke and the analysis, at most (and until an edit's analysis has been timed). */
export const DEBOUNCE_MS = 150;
/** The shortest delay: keystrokes of one burst still go into one analysis. */
export const MIN_DEBOUNCE_MS = 50;

/**
 * The debounce after an edit, given how long edits' analyses have been taking (a moving
 * average, ms): twice that, between {@link MIN_DEBOUNCE_MS} and {@link DEBOUNCE_MS}. A fast
 * analysis starts sooner; whatever the delay, analysing takes at most about a third of the
 * time while someone types, and an analysis a keystroke interrupts is cancelled.
 */
export function adaptiveDebounce(averageMs: number | undefined): number {
  if (averageMs === undefined || !Number.isFinite(averageMs)) return DEBOUNCE_MS;
  return Math.round(Math.min(DEBOUNCE_MS, Math.max(MIN_DEBOUNCE_MS, 2 * averageMs)));
}

/**
 * How long after a keystroke an edited document is parsed, ahead of its analysis: within
 * the debounce (never shorter than {@link MIN_DEBOUNCE_MS}), so the analysis that follows
 * finds the new model made and only links and checks. Keystrokes closer together than this
 * are parsed once.
 */
export const PARSE_AHEAD_MS = 20;

/** Weight of the latest edit analysis in the moving average of their durations. */
const AVERAGE_WEIGHT = 0.3;

/** A cancellation flag the engine polls (`CancellationLike`). */
class RunToken {
  isCancellationRequested = false;
  cancel(): void {
    this.isCancellationRequested = true;
  }
}

/** Converts one finding to an LSP diagnostic (0-based ranges already). */
export function toDiagnostic(finding: Finding, packageRoot: string): Diagnostic {
  const data: DiagnosticData = { rule: finding.rule, symbol: finding.symbol, fixes: finding.fixes };
  const relatedInformation: DiagnosticRelatedInformation[] = finding.related.map((r) => ({
    location: { uri: pathToUri(r.file), range: r.range },
    message: r.message,
  }));
  return {
    range: finding.range,
    severity: finding.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    code: finding.rule,
    codeDescription: { href: ruleDocUrl(packageRoot, finding.rule) },
    message: finding.message,
    relatedInformation,
    data,
  };
}

/** The information message on an open file that was not analysed (over the per-file budget). */
export function skippedDiagnostic(reason: string): Diagnostic {
  const start = { line: 0, character: 0 };
  return {
    range: { start, end: start },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    message: `Crossproc did not analyse this file: ${reason}. Findings in it are not reported.`,
  };
}

export class DiagnosticsPublisher {
  /** URIs of open documents whose text the project has not seen yet. */
  private readonly dirty = new Set<string>();
  /** What was last sent per URI, to publish only what changed. */
  private readonly published = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  /** the parse of edited documents ahead of their analysis ({@link parseAhead}) */
  private parseTimer: NodeJS.Timeout | undefined;
  /** time the parses ahead took since the last analysis began (ms): part of what an edit costs, for the debounce */
  private parsedAheadMs = 0;
  private current: RunToken | undefined;
  private startMethod: StartMethodSetting | undefined;
  private pythonVersion: string | undefined;
  private stopped = false;
  /** Set by "Analyze Workspace": publish every project file's findings, not only open documents'. */
  private publishAll = false;
  /** Set when the client pulls diagnostics: reports go there instead of being pushed. */
  private pull: PullReports | undefined;
  /** a run is in progress (between its start and its end, cancelled or not) */
  private running = false;
  /** resolved when no edit is waiting to be analysed */
  private settledWaiters: Array<() => void> = [];
  /** moving average of the duration (ms, after the debounce) of analyses that followed edits; undefined until one finished */
  private editAnalysisMs: number | undefined;
  /** the delay the pending or running analysis waited (ms), reported with its `analysing` status */
  private waited = 0;
  /** Publishes what goes elsewhere than a document's own URI (notebook cells: notebook/lsp.ts), after each analysis. */
  afterAnalysis?: (findings: Finding[], project: Project, cancelled: () => boolean) => Promise<void>;

  constructor(
    private readonly ctx: ServerContext,
    private readonly settings: SettingsStore,
  ) {}

  /** The client pulls diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`): answer its requests from now on. */
  enablePull(): void {
    if (this.pull) return;
    const pull = new PullReports(this.ctx, () => this.settled());
    this.pull = pull;
    this.ctx.connection.languages.diagnostics.on((params) =>
      pull.document(params.textDocument.uri, params.previousResultId),
    );
    this.ctx.connection.languages.diagnostics.onWorkspace((params, token) => pull.workspace(params.previousResultIds, token));
  }

  /** Resolves once every edit received so far has been analysed (or the server stops). */
  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private isSettled(): boolean {
    return this.stopped || (!this.timer && !this.running && this.dirty.size === 0);
  }

  private wakeSettled(): void {
    if (!this.isSettled()) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const wake of waiters) wake();
  }

  /** An open document was opened or edited. */
  documentChanged(document: TextDocument): void {
    if (uriToPath(document.uri) === undefined) return;
    // not idle: the collection made at rest (./memory.ts) must not land in the analysis this schedules
    this.ctx.memory.touch();
    this.dirty.add(document.uri);
    this.schedule();
    if (this.parseTimer) clearTimeout(this.parseTimer);
    this.parseTimer = setTimeout(() => {
      this.parseTimer = undefined;
      this.parseAhead().catch((error: unknown) => this.ctx.logError('Could not parse an edited document', error));
    }, PARSE_AHEAD_MS);
  }

  /**
   * Gives the project the edited documents' texts now, while the analysis waits out its
   * debounce: parsing is most of an edit's cost (a 3,000-line module's front end takes about
   * two thirds of its analysis), and done here the analysis after the debounce only links
   * and checks. The analysis does the same update, which then finds the text unchanged.
   * Large documents are left to it (it parses them off the main thread), and so is
   * everything while an analysis is running (the edit cancelled it; the next one parses).
   */
  private async parseAhead(): Promise<void> {
    if (this.stopped || this.running || !this.timer) return;
    const project = await this.ctx.project;
    if (this.stopped || this.running || !this.timer) return;
    for (const uri of this.dirty) {
      const document = this.ctx.documents.get(uri);
      const file = uriToPath(uri);
      if (!document || !file || !languageOf(file)) continue;
      const text = projectText(file, document.getText());
      if (text.length >= OFF_THREAD_CHARS) continue;
      const started = Date.now();
      try {
        project.updateFile(file, text, document.version);
      } catch {
        // the analysis tries again, and logs what fails there
      }
      this.parsedAheadMs += Date.now() - started;
    }
    this.ctx.memory.touch();
  }

  /** An open document was closed: clear its squiggles (the workspace handler reloads its disk text). */
  documentClosed(document: TextDocument): void {
    this.dirty.delete(document.uri);
    this.published.delete(document.uri);
    this.settings.forget(document.uri);
    // a pulling client keeps the file's report (it is still in the workspace's) and re-pulls
    if (this.pull) return;
    void this.ctx.connection.sendDiagnostics({ uri: document.uri, diagnostics: [] }).catch((error: unknown) =>
      this.ctx.logError('Could not clear diagnostics', error),
    );
  }

  /** Settings changed: recompute and republish everything. */
  refresh(): void {
    // Keep the URIs (a file no longer analysed must still be cleared), forget the contents.
    for (const uri of this.published.keys()) this.published.set(uri, '');
    this.schedule(0);
  }

  /** The current debounce after an edit (ms): {@link adaptiveDebounce} of the recent edit analyses. */
  debounce(): number {
    return adaptiveDebounce(this.editAnalysisMs);
  }

  /** Runs an analysis after `delay` ms (default: the {@link debounce}), replacing any pending or running one. */
  schedule(delay = this.debounce()): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.current?.cancel();
    this.waited = delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const token = new RunToken();
      this.current = token;
      this.tracked(token).catch((error: unknown) => {
        this.ctx.logError('Crossproc analysis failed', error);
        this.status({ state: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    }, delay);
  }

  /**
   * Analyses now and publishes the findings of every project file from now on ("Analyze
   * Workspace"). A run cancelled by an edit is retried at once.
   */
  async analyzeAll(): Promise<AnalyzeWorkspaceResult> {
    this.publishAll = true;
    for (let attempt = 0; attempt < 20 && !this.stopped; attempt++) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.current?.cancel();
      this.waited = 0;
      const token = new RunToken();
      this.current = token;
      const summary = await this.tracked(token);
      if (summary) return summary;
    }
    throw new Error('the analysis was interrupted too often (or the server is stopping); try again');
  }

  /** Parses large edited documents off the main thread. */
  private readonly offThread = new OffThreadParser();

  /** Stops scheduling (shutdown). */
  dispose(): void {
    this.stopped = true;
    this.offThread.dispose();
    if (this.timer) clearTimeout(this.timer);
    if (this.parseTimer) clearTimeout(this.parseTimer);
    this.current?.cancel();
    this.pull?.dispose();
    this.wakeSettled();
  }

  /** {@link run}, keeping {@link running} and waking pull requests when nothing is left to analyse. */
  private async tracked(token: RunToken): Promise<AnalyzeWorkspaceResult | undefined> {
    this.running = true;
    try {
      return await this.run(token);
    } finally {
      if (this.current === token) this.running = false;
      this.wakeSettled();
    }
  }

  /** file: URIs of project files, kept: every run maps every file in pull mode. */
  private readonly uris = new Map<string, string>();

  private uriOf(file: string): string {
    let uri = this.uris.get(file);
    if (uri === undefined) {
      if (this.uris.size > 100_000) this.uris.clear();
      uri = pathToUri(file);
      this.uris.set(file, uri);
    }
    return uri;
  }

  /** Push mode: publish what changed, and clear files that left the project. */
  private async push(reports: Map<string, FileReport>): Promise<void> {
    for (const [uri, report] of reports) {
      const key = JSON.stringify(report.diagnostics);
      if (this.published.get(uri) === key) continue;
      this.published.set(uri, key);
      await this.ctx.connection.sendDiagnostics({ uri, version: report.version, diagnostics: report.diagnostics });
    }
    // A file that left the project (deleted, now ignored) loses what was published for it.
    for (const uri of [...this.published.keys()]) {
      if (reports.has(uri) || this.ctx.documents.get(uri)) continue;
      this.published.delete(uri);
      await this.ctx.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  }

  /** `crossproc/status` for the client's status bar item; never throws. */
  private status(params: StatusParams, sent?: () => void): void {
    this.ctx.connection.sendNotification(STATUS_NOTIFICATION, params).then(sent, (error: unknown) =>
      this.ctx.logError('Could not send the status', error),
    );
  }

  /** One analysis; undefined when cancelled or failed (a failure is logged and sets the error status). */
  private async run(token: RunToken): Promise<AnalyzeWorkspaceResult | undefined> {
    const started = Date.now();
    // an edit's parse done ahead counts as part of its analysis: the debounce follows their sum, as before
    const parsedAhead = this.parsedAheadMs;
    this.parsedAheadMs = 0;
    const project = await this.ctx.project;
    if (token.isCancellationRequested) return;
    this.status({ state: 'analysing', debounceMs: this.waited });

    // The start method and Python version are a project-wide assumption: the first folder's.
    const assumption = await this.settings.assumption(this.ctx.folders[0]);
    if (token.isCancellationRequested) return;
    const { startMethod, pythonVersion } = assumption;
    if (startMethod !== this.startMethod || pythonVersion !== this.pythonVersion) {
      this.startMethod = startMethod;
      this.pythonVersion = pythonVersion;
      project.setOptions({ startMethod, pythonVersion });
    }

    const versions = new Map<string, number>();
    for (const uri of this.dirty) {
      const document = this.ctx.documents.get(uri);
      const file = uriToPath(uri);
      if (!document || !file) continue;
      try {
        // a large document is parsed in a worker: requests are answered meanwhile, and an
        // edit arriving then cancels this run (its own run parses the newer text)
        const lang = languageOf(file);
        const text = projectText(file, document.getText());
        let extracted: ExtractedModel | undefined;
        if (lang && text.length >= OFF_THREAD_CHARS && !project.holds(file, text) && !isOverBudget(text)) {
          extracted = await this.offThread.extract(file, text, lang);
          if (token.isCancellationRequested) return;
        }
        project.updateFile(file, text, document.version, extracted);
      } catch (error) {
        this.ctx.logError(`Could not parse ${file}`, error);
      }
    }
    const edited = new Set(this.dirty);
    this.dirty.clear();
    for (const document of this.ctx.documents.all()) versions.set(document.uri, document.version);

    let findings: Finding[];
    try {
      findings = project.analyze(token);
    } catch (error) {
      if (!(error instanceof AnalysisCancelled)) {
        this.ctx.logError('Crossproc analysis failed', error);
        this.status({ state: 'error', message: error instanceof Error ? error.message : String(error) });
      }
      return;
    } finally {
      // A rule that crashed is skipped by the engine; its stack belongs in the output channel.
      for (const problem of project.lastErrors.splice(0)) this.ctx.logError(`Internal error in rule ${problem}`);
    }
    if (token.isCancellationRequested) return;
    // a long analysis (a loaded machine) must not let the idle collection run at the awaits
    // below: a full collection of the workspace's heap took seconds inside an edit's latency
    this.ctx.memory.touch();

    const byFile = new Map<string, Finding[]>();
    for (const finding of findings) {
      const list = byFile.get(finding.file);
      if (list) list.push(finding);
      else byFile.set(finding.file, [finding]);
    }

    // One report per file: the open documents', then the closed files' (counted for the
    // status bar; delivered when pulled, or pushed after "Analyze Workspace").
    const counts = { error: 0, warning: 0 };
    const reports = new Map<string, FileReport>();
    const visited = new Set<string>();
    for (const document of this.ctx.documents.all()) {
      const file = uriToPath(document.uri);
      if (!file) continue;
      const settings = await this.settings.get(document.uri);
      if (token.isCancellationRequested) return;
      // The document may have been closed while the settings were read.
      if (!this.ctx.documents.get(document.uri)) continue;
      visited.add(file);
      const kept = settings.enable ? applyRuleSettings(byFile.get(file) ?? [], settings.rules) : [];
      for (const f of kept) counts[f.severity]++;
      const diagnostics = kept.map((f) => toDiagnostic(f, this.ctx.packageRoot));
      const skipped = settings.enable ? project.skippedReason(file) : undefined;
      if (skipped) diagnostics.push(skippedDiagnostic(skipped));
      reports.set(document.uri, { diagnostics, version: versions.get(document.uri) });
    }
    const pulling = this.pull !== undefined;
    const closed = pulling || this.publishAll ? project.files() : [...byFile.keys()];
    for (const file of closed) {
      if (visited.has(file)) continue;
      visited.add(file);
      const found = byFile.get(file);
      if (!found) {
        // nothing to report: no settings to read (a workspace of thousands of clean files stays cheap)
        if (pulling || this.publishAll) reports.set(this.uriOf(file), { diagnostics: [] });
        continue;
      }
      const settings = await this.settings.getForClosedFile(file);
      if (token.isCancellationRequested) return;
      const kept = settings.enable ? applyRuleSettings(found, settings.rules) : [];
      for (const f of kept) counts[f.severity]++;
      // a notebook's positions are its cells' (afterAnalysis publishes them to the cells of an open one)
      if ((pulling || this.publishAll) && !isNotebookPath(file)) {
        reports.set(this.uriOf(file), { diagnostics: kept.map((f) => toDiagnostic(f, this.ctx.packageRoot)) });
      }
    }

    if (this.pull) this.pull.update(reports, edited);
    else await this.push(reports);

    if (this.afterAnalysis) await this.afterAnalysis(findings, project, () => token.isCancellationRequested);
    if (token.isCancellationRequested) return;
    // the debounce follows how long analyses after edits take; a run past DEBOUNCE_MS (one
    // that also loaded the workspace, a loaded machine) counts as that: it gives the longest debounce anyway
    if (edited.size > 0) {
      const took = Math.min(DEBOUNCE_MS, Date.now() - started + parsedAhead);
      this.editAnalysisMs = this.editAnalysisMs === undefined ? took : this.editAnalysisMs + AVERAGE_WEIGHT * (took - this.editAnalysisMs);
    }
    const python = project.files().some((f) => f.endsWith('.py') || isNotebookPath(f));
    // once the status is written (the client's wait ends there), the young generation is
    // emptied of this analysis's garbage, between keystrokes rather than inside the next analysis
    this.status({ state: 'idle', findings: counts.error + counts.warning, assumption: { ...assumption, python } }, () => this.ctx.memory.scavenge());
    this.ctx.memory.touch();
    return { files: project.files().length, findings: counts, durationMs: Date.now() - started };
  }
}

/** Creates the diagnostics publisher for a server. */
export function register(ctx: ServerContext, settings: SettingsStore): DiagnosticsPublisher {
  return new DiagnosticsPublisher(ctx, settings);
}
