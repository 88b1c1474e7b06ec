/**
 * A fix's edits as the editor applies them when they touch an open notebook or create a
 * file: edits of a notebook's text become edits of its cell documents (each within one
 * cell; a fix whose edit would cross cells is not offered), and a new file is a `CreateFile`
 * operation (never over an existing file) followed by its text.
 */
import type { CreateFile, TextDocumentEdit, TextEdit as LspTextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { FixEdit } from '../fixes/types';
import { pathToUri, type ServerContext } from '../handlers/context';

export function notebookWorkspaceEdit(ctx: ServerContext, fix: FixEdit, useDocumentChanges: boolean): WorkspaceEdit | undefined {
  const ops: Array<CreateFile | TextDocumentEdit> = [];
  const changes: Record<string, LspTextEdit[]> = {};
  for (const fe of fix.changes) {
    if (fe.create) {
      // a new file needs resource operations; the editor refuses it when the file exists
      if (!useDocumentChanges) return undefined;
      const uri = pathToUri(fe.file);
      ops.push({ kind: 'create', uri, options: { overwrite: false, ignoreIfExists: false } });
      ops.push({ textDocument: { uri, version: null }, edits: fe.edits });
      continue;
    }
    if (ctx.cells?.isOpen(fe.file)) {
      const byCell = new Map<string, { version: number; edits: LspTextEdit[] }>();
      for (const e of fe.edits) {
        const at = ctx.cells.toCell(fe.file, e.range);
        if (!at) return undefined;
        const entry = byCell.get(at.uri) ?? { version: at.version, edits: [] };
        // the line break that separated this cell from the next is not the cell's own
        const newText = at.endsCell ? e.newText.replace(/\r?\n$/, '') : e.newText;
        entry.edits.push({ range: at.range, newText });
        byCell.set(at.uri, entry);
      }
      for (const [uri, { version, edits }] of byCell) {
        ops.push({ textDocument: { uri, version }, edits });
        changes[uri] = edits;
      }
      continue;
    }
    const uri = pathToUri(fe.file);
    const doc = ctx.documents.get(uri);
    ops.push({ textDocument: { uri, version: doc ? doc.version : null }, edits: fe.edits });
    changes[uri] = fe.edits;
  }
  return useDocumentChanges ? { documentChanges: ops } : { changes };
}
