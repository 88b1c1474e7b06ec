/**
 * Notebooks in the language server (LSP 3.17 notebook document sync), through a real LSP
 * session against the built server: the capability, diagnostics published to the cell that
 * holds the problem (cell-relative ranges, related locations in other cells), hover on a
 * cell, an edit of a cell that removes the problem, and the unimportable-task quick fix as
 * a WorkspaceEdit of cell documents plus the creation of the module file.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeAction, CreateFile, Diagnostic, Hover, MarkupContent, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { DEFAULT_CAPABILITIES, startSession, uriOf, waitFor, type LspSession } from './support/lsp-session';
import { makeTree } from './support/programs';

const CELLS: Array<{ kind: 1 | 2; language: string; text: string }> = [
  { kind: 1, language: 'markdown', text: '# Squares' },
  { kind: 2, language: 'python', text: 'from concurrent.futures import ProcessPoolExecutor\n%env DEMO=1' },
  { kind: 2, language: 'python', text: 'OFFSET = 1\n\ndef square(x):\n    return x * x + OFFSET' },
  { kind: 2, language: 'python', text: 'with ProcessPoolExecutor(2) as ex:\n    print(list(ex.map(square, [1, 2])))' },
];

describe('language server: notebooks', function () {
  this.timeout(60_000);
  let root: string;
  let session: LspSession;
  const nbPath = () => path.join(root, 'squares.ipynb');
  const cellUri = (i: number) => `vscode-notebook-cell:${nbPath()}#cell${i}`;
  const versions = new Map<number, number>();
  const diagnosticsOf = (i: number): Diagnostic[] => session.diagnostics.get(cellUri(i))?.diagnostics ?? [];

  before(async () => {
    root = makeTree({ 'squares.ipynb': JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }) });
    session = await startSession(root, {
      capabilities: {
        ...DEFAULT_CAPABILITIES,
        workspace: { ...DEFAULT_CAPABILITIES.workspace, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } },
        textDocument: {
          ...DEFAULT_CAPABILITIES.textDocument,
          codeAction: { resolveSupport: { properties: ['edit'] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
          hover: { contentFormat: ['markdown'] },
        },
        notebookDocument: { synchronization: { dynamicRegistration: false } },
      },
    });
    CELLS.forEach((_, i) => versions.set(i, 1));
    await session.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: {
        uri: uriOf(nbPath()),
        notebookType: 'jupyter-notebook',
        version: 1,
        cells: CELLS.map((c, i) => ({ kind: c.kind, document: cellUri(i) })),
      },
      cellTextDocuments: CELLS.map((c, i) => ({ uri: cellUri(i), languageId: c.language, version: 1, text: c.text })),
    });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(session.log.join('\n'));
  });

  after(async () => {
    if (session) assert.equal(await session.close(), 0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('declares notebook document sync for Jupyter notebooks', () => {
    const sync = session.initializeResult.capabilities.notebookDocumentSync as { notebookSelector: Array<{ notebook: { notebookType: string } }> };
    assert.equal(sync.notebookSelector[0]!.notebook.notebookType, 'jupyter-notebook');
  });

  it('publishes the finding to the cell that defines the task, at its line in that cell', async () => {
    const d = await waitFor('unimportable-task in cell 3', () => diagnosticsOf(2).find((x) => x.code === 'unimportable-task'));
    assert.deepEqual(d.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 10 } });
    assert.match(d.message as string, /squares\.ipynb:cell 4:2/);
    assert.equal(d.relatedInformation?.[0]?.location.uri, cellUri(3));
    assert.equal(d.relatedInformation?.[0]?.location.range.start.line, 1);
    assert.deepEqual(diagnosticsOf(1), []);
  });

  it('hovering the def in its cell explains the finding', async () => {
    const hover = await session.connection.sendRequest<Hover | null>('textDocument/hover', {
      textDocument: { uri: cellUri(2) },
      position: { line: 2, character: 6 },
    });
    assert.ok(hover, 'a hover');
    assert.match((hover.contents as MarkupContent).value, /unimportable-task/);
    assert.equal(hover.range?.start.line, 2);
  });

  it('the quick fix edits the cell and creates the module beside the notebook', async () => {
    const d = diagnosticsOf(2).find((x) => x.code === 'unimportable-task')!;
    const actions = await session.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: cellUri(2) },
      range: d.range,
      context: { diagnostics: [d], only: ['quickfix'] },
    });
    const move = actions.find((a) => a.title === "Move 'square' into squares_tasks.py and import it");
    assert.ok(move, `offered: ${actions.map((a) => a.title).join(' | ')}`);
    const resolved = await session.connection.sendRequest<CodeAction>('codeAction/resolve', move);
    const ops = resolved.edit?.documentChanges ?? [];
    const create = ops.find((o): o is CreateFile => 'kind' in o && o.kind === 'create');
    assert.equal(create?.uri, uriOf(path.join(root, 'squares_tasks.py')));
    assert.equal(create?.options?.overwrite, false);
    const edits = ops.filter((o): o is TextDocumentEdit => 'textDocument' in o);
    const cellEdit = edits.find((e) => e.textDocument.uri === cellUri(2));
    assert.ok(cellEdit, 'an edit of cell 3');
    assert.equal(cellEdit.textDocument.version, 1);
    assert.deepEqual(cellEdit.edits, [{ range: { start: { line: 2, character: 0 }, end: { line: 3, character: 25 } }, newText: 'from squares_tasks import square' }]);
    const module = edits.find((e) => e.textDocument.uri === create?.uri);
    assert.match((module!.edits[0] as TextEdit).newText, /^OFFSET = 1$[\s\S]*^def square\(x\):\n {4}return x \* x \+ OFFSET\n$/m);
    assert.ok(!edits.some((e) => e.textDocument.uri !== cellUri(2) && e.textDocument.uri !== create?.uri), 'no other document is edited');
  });

  it('editing the cell to import the task clears its diagnostic', async () => {
    versions.set(2, 2);
    await session.connection.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: uriOf(nbPath()), version: 2 },
      change: {
        cells: {
          textContent: [
            {
              document: { uri: cellUri(2), version: 2 },
              changes: [{ range: { start: { line: 0, character: 0 }, end: { line: 3, character: 25 } }, text: 'from math import sqrt as square' }],
            },
          ],
        },
      },
    });
    await waitFor('cell 3 cleared', () => diagnosticsOf(2).length === 0);
  });
});
