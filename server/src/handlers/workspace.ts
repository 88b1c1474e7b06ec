/**
 * The disk side of the project: load every analysable file of the workspace folders once
 * (in the background, with `$/progress` when the client supports it), follow
 * `workspace/didChangeWatchedFiles` (source files and project configuration files), put a
 * file's disk text back when its editor closes, and answer "Analyze Workspace". Open
 * documents always win over disk text.
 *
 * The load never holds up an open document's diagnostics: the publisher feeds open
 * documents into the project on its own schedule, and the load yields to the event loop
 * every {@link BATCH} files, so a debounced run for an edit happens in between batches.
 * A batch's files are read concurrently, and while they are parsed the next batch is read;
 * files enter the project in walk order.
 */
import * as path from 'node:path';
import {
  FileChangeType,
  type DidChangeWatchedFilesParams,
  type WorkDoneProgressServerReporter,
  type WorkspaceFoldersChangeEvent,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isAnalyzable, type Project } from '../engine/project';
import { describeSkipReason, isExcludedFrom, readSourceFile, walkSourceFiles, type ReadResult } from '../shared/files';
import { PROJECT_CONFIG_FILE_NAMES } from '../shared/projectConfig';
import {
  ANALYZE_WORKSPACE_REQUEST,
  EDITOR_SKIPPED_DIRECTORIES,
  PYTHON_VERSION_FILE_NAME,
  type AnalyzeWorkspaceResult,
} from '../shared/protocol';
import type { SettingsStore } from './configuration';
import { uriToPath, type ServerContext } from './context';
import type { DiagnosticsPublisher } from './diagnostics';

/** How many files to read between yields to the event loop during the initial load. */
const BATCH = 25;

/** A file's read, started: its text (or why none), or the error reading it. */
type PendingRead = { file: string; read: Promise<{ ok: true; result: ReadResult } | { ok: false; error: unknown }> };

function startRead(file: string): PendingRead {
  return {
    file,
    read: readSourceFile(file).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  };
}

/** A workspace larger than this is only partly loaded (with a note in the output channel). */
export const MAX_WORKSPACE_FILES = 50_000;

export class WorkspaceFiles {
  private loading = { isCancellationRequested: false };

  constructor(
    private readonly ctx: ServerContext,
    private readonly diagnostics: DiagnosticsPublisher,
    private readonly settings: SettingsStore,
  ) {}

  /** Whether the walk of `folder` skips `file` (skipped folders, .gitignore, the project file's `ignore`). */
  private async isExcluded(folder: string, file: string): Promise<boolean> {
    const matcher = await this.settings.ignoreMatcher(folder);
    return isExcludedFrom(folder, file, EDITOR_SKIPPED_DIRECTORIES, (p, isDir) => matcher.ignores(p, isDir));
  }

  private isOpen(file: string): boolean {
    // an open notebook's text is its cells' (notebook/lsp.ts), not the file on disk
    return this.ctx.documents.all().some((d) => uriToPath(d.uri) === file) || this.ctx.cells?.isOpen(file) === true;
  }

  /** The workspace folder a file belongs to, if any. */
  private folderOf(file: string): string | undefined {
    return this.ctx.folders.find((folder) => {
      const rel = path.relative(folder, file);
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    });
  }

  /**
   * Loads all workspace folders; resolves when done. Never rejects. With `prune`, files of
   * these folders that the walk no longer yields (now ignored, deleted) leave the project.
   */
  async loadAll(folders: readonly string[] = this.ctx.folders, prune = false): Promise<void> {
    if (folders.length === 0) return;
    const token = this.loading;
    let progress: WorkDoneProgressServerReporter | undefined;
    try {
      if (this.ctx.client.workDoneProgress) {
        progress = await this.ctx.connection.window.createWorkDoneProgress();
        progress.begin('Crossproc', undefined, 'Loading workspace files', false);
      }
      const project = await this.ctx.project;
      let count = 0;
      const started = Date.now();
      const walked = new Set<string>();
      let complete = true;
      // reads in flight: a full batch waits while the next one is read, so the reads of
      // one batch overlap the parsing of the one before
      let pending: PendingRead[] = [];
      let full: PendingRead[] = [];
      const apply = async (batch: PendingRead[]) => {
        for (const { file, read } of batch) {
          this.applyRead(file, await read, project);
          count++;
        }
        progress?.report(`${count} files`);
        // Let requests and edits in between batches.
        await new Promise((resolve) => setImmediate(resolve));
      };
      outer: for (const folder of folders) {
        const matcher = await this.settings.ignoreMatcher(folder);
        const exclude = (p: string, isDir: boolean) => matcher.ignores(p, isDir);
        for await (const file of walkSourceFiles(folder, { token, skip: EDITOR_SKIPPED_DIRECTORIES, exclude })) {
          walked.add(file);
          if (count + full.length + pending.length >= MAX_WORKSPACE_FILES) {
            this.ctx.log(`Workspace has more than ${MAX_WORKSPACE_FILES} source files; the rest are analysed only when opened.`);
            complete = false;
            break outer;
          }
          pending.push(startRead(file));
          if (pending.length === BATCH) {
            const batch = full;
            full = pending;
            pending = [];
            if (batch.length > 0) await apply(batch);
          }
          if (token.isCancellationRequested) return;
        }
      }
      for (const batch of [full, pending]) if (batch.length > 0 && !token.isCancellationRequested) await apply(batch);
      if (token.isCancellationRequested) return;
      if (prune && complete) {
        for (const file of project.files()) {
          const folder = this.folderOf(file);
          if (folder && folders.includes(folder) && !walked.has(file) && !this.isOpen(file)) project.removeFile(file);
        }
      }
      this.ctx.log(`Loaded ${count} files from ${folders.length} workspace folder(s) in ${Date.now() - started} ms.`);
    } catch (error) {
      this.ctx.logError('Could not load the workspace files', error);
    } finally {
      progress?.done();
    }
    this.diagnostics.schedule(0);
  }

  /** Reads one file into the project unless it is open in an editor; removes it if it is gone or not text. */
  private async loadFromDisk(file: string, project: Project): Promise<void> {
    this.applyRead(file, await startRead(file).read, project);
  }

  /** A file's read into the project, unless it is open in an editor; removes it if it is gone or not text. */
  private applyRead(file: string, read: Awaited<PendingRead['read']>, project: Project): void {
    if (this.isOpen(file)) return;
    try {
      if (!read.ok) throw read.error;
      const { result } = read;
      if (result.kind === 'text') {
        project.updateFile(file, result.text);
        // the server keeps a closed file's model, not its text (read again when a fix needs it)
        project.releaseText(file);
      } else {
        if (!project.hasFile(file)) this.ctx.log(`Skipped ${file}: ${describeSkipReason(result.reason)}.`);
        project.removeFile(file);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (code !== 'ENOENT') this.ctx.logError(`Could not read ${file}`, error);
      project.removeFile(file);
    }
  }

  /** `workspace/didChangeWatchedFiles`: follow creations, edits and deletions on disk. */
  async filesChanged(params: DidChangeWatchedFilesParams): Promise<void> {
    const project = await this.ctx.project;
    let changed = false;
    const isConfig = (file: string) =>
      [...PROJECT_CONFIG_FILE_NAMES, PYTHON_VERSION_FILE_NAME].includes(path.basename(file));
    if (params.changes.some((change) => isConfig(uriToPath(change.uri) ?? ''))) {
      // A project file changed: new rules/startMethod apply to every file; new `ignore`
      // patterns change which files are in the project.
      const { changed: configChanged, ignoreChanged } = await this.settings.projectFilesChanged();
      if (ignoreChanged) await this.loadAll(this.ctx.folders, true);
      if (configChanged) this.diagnostics.refresh();
    }
    for (const change of params.changes) {
      const file = uriToPath(change.uri);
      if (!file || !isAnalyzable(file) || this.isOpen(file)) continue;
      const folder = this.folderOf(file);
      if (change.type === FileChangeType.Deleted || !folder || (await this.isExcluded(folder, file))) {
        if (project.hasFile(file)) {
          project.removeFile(file);
          changed = true;
        }
        continue;
      }
      await this.loadFromDisk(file, project);
      changed = true;
    }
    if (changed) this.diagnostics.schedule();
  }

  /** An editor closed: the project goes back to the file's disk text (or forgets it). */
  async documentClosed(document: TextDocument): Promise<void> {
    const file = uriToPath(document.uri);
    if (!file) return;
    const project = await this.ctx.project;
    const folder = this.folderOf(file);
    if (folder && isAnalyzable(file) && !(await this.isExcluded(folder, file))) await this.loadFromDisk(file, project);
    else if (!this.isOpen(file)) project.removeFile(file);
    this.diagnostics.schedule();
  }

  /** `workspace/didChangeWorkspaceFolders`: load added folders, drop removed ones' files. */
  async foldersChanged(event: WorkspaceFoldersChangeEvent): Promise<void> {
    const removed = event.removed.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
    const added = event.added.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
    this.ctx.folders = [...this.ctx.folders.filter((f) => !removed.includes(f)), ...added];
    if (removed.length > 0) {
      const project = await this.ctx.project;
      for (const file of project.files()) {
        if (!this.folderOf(file) && !this.isOpen(file)) project.removeFile(file);
      }
      this.diagnostics.schedule();
    }
    await this.loadAll(added);
  }

  /**
   * `crossproc/analyzeWorkspace`: reload every workspace file from disk (dropping files
   * that are gone or now ignored), analyse, and publish the findings of all files.
   */
  async analyzeWorkspace(): Promise<AnalyzeWorkspaceResult> {
    const started = Date.now();
    await this.loadAll(this.ctx.folders, true);
    const summary = await this.diagnostics.analyzeAll();
    return { ...summary, durationMs: Date.now() - started };
  }

  /** Stops a load in progress (shutdown). */
  dispose(): void {
    this.loading.isCancellationRequested = true;
  }
}

/** Creates the workspace-file loader for a server. */
export function register(ctx: ServerContext, diagnostics: DiagnosticsPublisher, settings: SettingsStore): WorkspaceFiles {
  const files = new WorkspaceFiles(ctx, diagnostics, settings);
  ctx.connection.onRequest(ANALYZE_WORKSPACE_REQUEST, () => files.analyzeWorkspace());
  return files;
}
