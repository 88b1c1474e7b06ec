/**
 * Pull diagnostics (LSP 3.17 `textDocument/diagnostic` and `workspace/diagnostic`), used
 * when the client supports them: every analysed file's findings, open or not, so the
 * Problems panel lists findings in files nobody has opened.
 *
 * Each analysis run hands over one report per file; a report whose diagnostics changed
 * gets a new result id, an unchanged one keeps its id and is answered `unchanged`. Requests
 * wait until the edits already received are analysed. The workspace request is held open
 * (long polling, as the protocol allows) until some report differs from what the client
 * has, so a change shows without the client polling; a run that changes the findings of a
 * file other than the ones just edited also sends `workspace/diagnostic/refresh`, so open
 * editors re-pull (a change in one file changes findings in another).
 */
import type {
  CancellationToken,
  Diagnostic,
  DocumentDiagnosticReport,
  WorkspaceDiagnosticReport,
  WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import type { ServerContext } from './context';

/** The `identifier` of our diagnostic provider (shown by VS Code as the source of the pull). */
export const PULL_IDENTIFIER = 'crossproc';

/** A held workspace request answers after this long even when nothing changed (the client asks again at once). */
export const WORKSPACE_HOLD_MS = 60_000;

export interface FileReport {
  diagnostics: Diagnostic[];
  /** the open document's version the report is for */
  version?: number;
}

interface Stored extends FileReport {
  resultId: string;
  key: string;
}

export class PullReports {
  private readonly reports = new Map<string, Stored>();
  /** session prefix, so ids from a previous server never match */
  private readonly session = Date.now().toString(36);
  private counter = 0;
  private readonly changeWaiters = new Set<() => void>();

  constructor(
    private readonly ctx: ServerContext,
    /** resolves once the edits received so far are analysed */
    private readonly settled: () => Promise<void>,
  ) {}

  /**
   * Takes one run's reports (every file that has one; a file missing here has none now).
   * Sends `workspace/diagnostic/refresh` when a file outside `edited` changed.
   */
  update(reports: Map<string, FileReport>, edited: ReadonlySet<string>): void {
    let changed = false;
    let elsewhere = false;
    const mark = (uri: string) => {
      changed = true;
      if (!edited.has(uri)) elsewhere = true;
    };
    for (const [uri, report] of reports) {
      const key = JSON.stringify(report.diagnostics);
      const old = this.reports.get(uri);
      if (old?.key === key) {
        old.version = report.version;
        continue;
      }
      // a closed file that had no report and still has nothing to say needs no id (open ones
      // get one, so the editor's next pull can be answered "unchanged")
      if (!old && report.diagnostics.length === 0 && report.version === undefined) continue;
      this.reports.set(uri, { ...report, key, resultId: this.nextId() });
      mark(uri);
    }
    for (const [uri, old] of this.reports) {
      if (reports.has(uri)) continue;
      // gone from the project (deleted, ignored): one empty report clears it, then forget it
      if (old.diagnostics.length === 0) continue;
      this.reports.set(uri, { diagnostics: [], key: '[]', resultId: this.nextId() });
      mark(uri);
    }
    if (!changed) return;
    for (const wake of [...this.changeWaiters]) wake();
    if (elsewhere && this.ctx.client.diagnosticRefresh) {
      this.ctx.connection.languages.diagnostics.refresh().catch((error: unknown) =>
        this.ctx.logError('Could not ask the client to refresh diagnostics', error),
      );
    }
  }

  /** `textDocument/diagnostic` */
  async document(uri: string, previousResultId: string | undefined): Promise<DocumentDiagnosticReport> {
    await this.settled();
    const report = this.reports.get(uri);
    if (!report) return { kind: 'full', items: [] };
    if (previousResultId === report.resultId) return { kind: 'unchanged', resultId: report.resultId };
    return { kind: 'full', resultId: report.resultId, items: report.diagnostics };
  }

  /** `workspace/diagnostic`: what differs from `previous`, held until something does (or the hold ends). */
  async workspace(previous: ReadonlyArray<{ uri: string; value: string }>, token: CancellationToken): Promise<WorkspaceDiagnosticReport> {
    await this.settled();
    const known = new Map(previous.map((p) => [p.uri, p.value]));
    let items = this.differences(known);
    if (items.length === 0 && !token.isCancellationRequested) {
      await this.nextChange(token);
      await this.settled();
      items = this.differences(known);
    }
    // the rest are unchanged: said once each, so the client keeps them
    for (const [uri, value] of known) {
      const report = this.reports.get(uri);
      if (report && report.resultId === value) items.push({ kind: 'unchanged', uri, resultId: value, version: report.version ?? null });
    }
    return { items };
  }

  /** Shutdown: answer held requests. */
  dispose(): void {
    for (const wake of [...this.changeWaiters]) wake();
  }

  private differences(known: ReadonlyMap<string, string>): WorkspaceDocumentDiagnosticReport[] {
    const items: WorkspaceDocumentDiagnosticReport[] = [];
    for (const [uri, report] of this.reports) {
      const previous = known.get(uri);
      if (previous === report.resultId) continue;
      // an empty report the client never had a version of tells it nothing
      if (previous === undefined && report.diagnostics.length === 0) continue;
      items.push({ kind: 'full', uri, resultId: report.resultId, version: report.version ?? null, items: report.diagnostics });
    }
    return items;
  }

  private nextChange(token: CancellationToken): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        listener.dispose();
        this.changeWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, WORKSPACE_HOLD_MS);
      const listener = token.onCancellationRequested(done);
      this.changeWaiters.add(done);
    });
  }

  private nextId(): string {
    return `${this.session}-${++this.counter}`;
  }
}
