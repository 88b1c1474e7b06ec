/**
 * The disk side of the project: load every analysable file of the workspace folders once
 * (in the background, with `$/progress` when the client supports it), follow
 * `workspace/didChangeWatchedFiles`, and put a file's disk text back when its editor
 * closes. Open documents always win over disk text.
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
import { isExcludedFrom, readSourceFile, walkSourceFiles } from '../shared/files';
import { EDITOR_SKIPPED_DIRECTORIES } from '../shared/protocol';
import { uriToPath, type ServerContext } from './context';
import type { DiagnosticsPublisher } from './diagnostics';

/** How many files to read between yields to the event loop during the initial load. */
const BATCH = 25;

/** A workspace larger than this is only partly loaded (with a note in the output channel). */
export const MAX_WORKSPACE_FILES = 50_000;

export class WorkspaceFiles {
  private loading = { isCancellationRequested: false };

  constructor(
    private readonly ctx: ServerContext,
    private readonly diagnostics: DiagnosticsPublisher,
  ) {}

  private isOpen(file: string): boolean {
    return this.ctx.documents.all().some((d) => uriToPath(d.uri) === file);
  }

  /** The workspace folder a file belongs to, if any. */
  private folderOf(file: string): string | undefined {
    return this.ctx.folders.find((folder) => {
      const rel = path.relative(folder, file);
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    });
  }

  /** Loads all workspace folders; resolves when done. Never rejects. */
  async loadAll(folders: readonly string[] = this.ctx.folders): Promise<void> {
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
      outer: for (const folder of folders) {
        for await (const file of walkSourceFiles(folder, { token, skip: EDITOR_SKIPPED_DIRECTORIES })) {
          if (count >= MAX_WORKSPACE_FILES) {
            this.ctx.log(`Workspace has more than ${MAX_WORKSPACE_FILES} source files; the rest are analysed only when opened.`);
            break outer;
          }
          await this.loadFromDisk(file, project);
          count++;
          if (count % BATCH === 0) {
            progress?.report(`${count} files`);
            // Let requests and edits in between batches.
            await new Promise((resolve) => setImmediate(resolve));
          }
          if (token.isCancellationRequested) return;
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
    try {
      const result = await readSourceFile(file);
      if (this.isOpen(file)) return;
      if (result.kind === 'text') project.updateFile(file, result.text);
      else project.removeFile(file);
    } catch (error) {
      if (this.isOpen(file)) return;
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (code !== 'ENOENT') this.ctx.logError(`Could not read ${file}`, error);
      project.removeFile(file);
    }
  }

  /** `workspace/didChangeWatchedFiles`: follow creations, edits and deletions on disk. */
  async filesChanged(params: DidChangeWatchedFilesParams): Promise<void> {
    const project = await this.ctx.project;
    let changed = false;
    for (const change of params.changes) {
      const file = uriToPath(change.uri);
      if (!file || !isAnalyzable(file) || this.isOpen(file)) continue;
      const folder = this.folderOf(file);
      if (change.type === FileChangeType.Deleted || !folder || (await isExcludedFrom(folder, file, EDITOR_SKIPPED_DIRECTORIES))) {
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
    if (folder && isAnalyzable(file) && !(await isExcludedFrom(folder, file, EDITOR_SKIPPED_DIRECTORIES))) await this.loadFromDisk(file, project);
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

  /** Stops a load in progress (shutdown). */
  dispose(): void {
    this.loading.isCancellationRequested = true;
  }
}

/** Creates the workspace-file loader for a server. */
export function register(ctx: ServerContext, diagnostics: DiagnosticsPublisher): WorkspaceFiles {
  return new WorkspaceFiles(ctx, diagnostics);
}
