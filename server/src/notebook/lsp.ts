/**
 * Notebooks in the language server (LSP 3.17 notebook document sync).
 *
 * The client syncs every cell of an open `jupyter-notebook` (so cell numbers are the
 * notebook's own); the Python code cells, in order, become the notebook file's text in the
 * project (cells.ts), replacing what was read from disk. After each analysis the notebook's
 * findings are published to its cells' URIs, with cell-relative ranges. Hover and code
 * actions on a cell go through {@link CellDocuments}: a cell position becomes a position of
 * the notebook's text, and a fix's edits of that text become edits of the cells.
 */
import { promises as fs } from 'node:fs';
import {
  NotebookCellKind,
  NotebookDocuments,
  type Connection,
  type Diagnostic,
  type NotebookDocument,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, RelatedLocation } from '../engine/findings';
import type { Position, Range } from '../engine/model';
import type { Project } from '../engine/project';
import { applyRuleSettings } from '../shared/severity';
import type { SettingsStore } from '../handlers/configuration';
import { pathToUri, uriToPath, type ServerContext } from '../handlers/context';
import { toDiagnostic } from '../handlers/diagnostics';
import { CellLayout, notebookSource, type NotebookCellText } from './cells';
import { CellLayouts, type InCell } from './findings';

/** The `notebookDocumentSync` server capability: every cell of Jupyter notebooks on disk. */
export const NOTEBOOK_SYNC = { notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook', scheme: 'file' } }] };

/** Cell documents ↔ the notebook file's text in the project. */
export interface CellDocuments {
  /** The notebook file and text position of a position in a cell document; undefined for any other URI. */
  toEngine(uri: string, position: Position): { file: string; position: Position; notebookUri: string } | undefined;
  /**
   * A range of an open notebook's text as a cell URI and a range in that cell (with the cell
   * document's version); undefined when it spans cells. `endsCell`: the range ran to the next
   * cell's start, i.e. takes the cell's last lines whole (with the line break between cells).
   */
  toCell(file: string, range: Range): { uri: string; range: Range; version: number; endsCell: boolean } | undefined;
  /** Whether `file` is a notebook open in the editor (its diagnostics go to its cells). */
  isOpen(file: string): boolean;
}

/** The pieces of the server the notebook support works with. */
export interface NotebookHooks {
  /** asks for an analysis soon (debounced) */
  schedule(): void;
  /** the file's text on disk went back into the project (a notebook closed) */
  reload(file: string): Promise<void>;
}

export class NotebookSync implements CellDocuments {
  readonly notebooks = new NotebookDocuments(TextDocument);
  /** what was last published per cell URI */
  private readonly published = new Map<string, string>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly settings: SettingsStore,
    private readonly hooks: NotebookHooks,
  ) {}

  listen(connection: Connection): void {
    this.notebooks.onDidOpen((nb) => this.changed(nb));
    this.notebooks.onDidChange((e) => this.changed(e.notebookDocument));
    this.notebooks.onDidClose((nb) => this.closed(nb));
    this.notebooks.listen(connection);
  }

  /** The open notebook of a notebook file path. */
  private notebookOf(file: string): NotebookDocument | undefined {
    return this.notebooks.getNotebookDocument(pathToUri(file));
  }

  isOpen(file: string): boolean {
    return this.notebookOf(file) !== undefined;
  }

  /** The cells as the engine reads them: Python code cells are code, everything else is not analysed. */
  private cellTexts(nb: NotebookDocument): NotebookCellText[] {
    return nb.cells.map((cell) => {
      const doc = this.notebooks.getCellTextDocument(cell);
      const code = cell.kind === NotebookCellKind.Code && doc?.languageId === 'python';
      return { kind: code ? 'code' : 'other', text: doc?.getText().replace(/\r\n?/g, '\n') ?? '' };
    });
  }

  private changed(nb: NotebookDocument): void {
    const file = uriToPath(nb.uri);
    if (!file) return;
    this.ctx.project
      .then((project) => {
        project.updateFile(file, notebookSource(this.cellTexts(nb)), nb.version);
        this.hooks.schedule();
      })
      .catch((error: unknown) => this.ctx.logError(`Could not read the cells of ${file}`, error));
  }

  private closed(nb: NotebookDocument): void {
    for (const cell of nb.cells) this.clear(cell.document);
    const file = uriToPath(nb.uri);
    if (!file) return;
    this.hooks
      .reload(file)
      .then(() => this.hooks.schedule())
      .catch((error: unknown) => this.ctx.logError(`Could not reload ${file}`, error));
  }

  private clear(uri: string): void {
    if (!this.published.has(uri)) return;
    this.published.delete(uri);
    void this.ctx.connection.sendDiagnostics({ uri, diagnostics: [] }).catch((error: unknown) => this.ctx.logError('Could not clear diagnostics', error));
  }

  toEngine(uri: string, position: Position): { file: string; position: Position; notebookUri: string } | undefined {
    const nb = this.notebooks.findNotebookDocumentForCell(uri);
    const file = nb && uriToPath(nb.uri);
    if (!nb || !file) return undefined;
    const index = nb.cells.findIndex((c) => c.document === uri);
    const layout = new CellLayout(notebookSource(this.cellTexts(nb)));
    const at = layout.fromCell(index + 1, position.line, position.character);
    return at && { file, position: at, notebookUri: nb.uri };
  }

  toCell(file: string, range: Range): { uri: string; range: Range; version: number; endsCell: boolean } | undefined {
    const nb = this.notebookOf(file);
    if (!nb) return undefined;
    const layouts = new CellLayouts(() => notebookSource(this.cellTexts(nb)));
    const at = layouts.range(file, range, true);
    const cell = at && nb.cells[at.cell - 1];
    const doc = cell && this.notebooks.getCellTextDocument(cell);
    const endsCell = layouts.layout(file)?.isCellEnd(range.end) ?? false;
    return at && cell && doc ? { uri: cell.document, range: at.range, version: doc.version, endsCell } : undefined;
  }

  /** Publishes the findings of every open notebook to its cells (after each analysis). */
  async publish(findings: readonly Finding[], project: Project, cancelled: () => boolean): Promise<void> {
    const layouts = new CellLayouts((f) => project.text(f));
    for (const nb of this.openNotebooks()) {
      const file = uriToPath(nb.uri);
      if (!file) continue;
      const settings = await this.settings.get(nb.uri);
      if (cancelled()) return;
      const mine = findings.filter((f) => f.file === file);
      const kept = settings.enable ? applyRuleSettings(mine, settings.rules) : [];
      const byCell = new Map<string, Diagnostic[]>(nb.cells.map((c) => [c.document, []]));
      for (const f of kept) {
        const shown = layouts.finding(f);
        const cell = shown.cell !== undefined ? nb.cells[shown.cell - 1] : undefined;
        if (!cell) continue;
        const d = toDiagnostic(shown, this.ctx.packageRoot);
        // related locations in an open notebook point at its cells
        d.relatedInformation = (shown.related as Array<RelatedLocation & InCell>).map((r) => {
          const target = r.cell !== undefined ? this.notebookOf(r.file)?.cells[r.cell - 1] : undefined;
          return { location: { uri: target ? target.document : pathToUri(r.file), range: r.range }, message: r.message };
        });
        byCell.get(cell.document)?.push(d);
      }
      for (const [uri, diagnostics] of byCell) {
        const key = JSON.stringify(diagnostics);
        if ((this.published.get(uri) ?? '[]') === key) continue;
        this.published.set(uri, key);
        await this.ctx.connection.sendDiagnostics({ uri, diagnostics });
      }
    }
  }

  private openNotebooks(): NotebookDocument[] {
    const seen = new Map<string, NotebookDocument>();
    for (const doc of this.notebooks.cellTextDocuments.all()) {
      const nb = this.notebooks.findNotebookDocumentForCell(doc.uri);
      if (nb) seen.set(nb.uri, nb);
    }
    return [...seen.values()];
  }
}

/** Reads a notebook back from disk into the project (or forgets it when it is gone). */
export async function reloadFromDisk(project: Project, file: string): Promise<void> {
  try {
    project.updateFile(file, await fs.readFile(file, 'utf8'));
  } catch {
    project.removeFile(file);
  }
}
