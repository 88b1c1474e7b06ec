/**
 * Notebooks as the engine's Python text and back (server/src/notebook/): IPython lines,
 * positions per cell, writing changed cells into the .ipynb with the rest of the file kept.
 */
import { strict as assert } from 'node:assert';
import { CellLayout, notebookSource, splitNotebookSource } from '../server/src/notebook/cells';
import { applySourceToNotebook, notebookJsonToSource, parseNotebook } from '../server/src/notebook/ipynb';
import { Project, analyzeSources } from '../server/src/engine/project';
import { CellLayouts } from '../server/src/notebook/findings';
import { prng } from './support/prng';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** nbformat's own layout (indent 1, sorted keys), as Jupyter writes it. */
function nbJson(cells: Array<[string, string]>, language = 'python'): string {
  const out = {
    cells: cells.map(([type, text], i) => ({
      cell_type: type,
      id: `c${i}`,
      metadata: {},
      source: text.split('\n').map((l, j, all) => (j < all.length - 1 ? `${l}\n` : l)).filter((l) => l !== ''),
      ...(type === 'code' ? { execution_count: 3, outputs: [{ name: 'stdout', output_type: 'stream', text: ['hi\n'] }] } : {}),
    })),
    metadata: { kernelspec: { language, name: 'k' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(out, null, 1) + '\n';
}

describe('notebooks: cells as Python text', () => {
  const cells: Array<[string, string]> = [
    ['markdown', '# Title'],
    ['code', 'import os\n%matplotlib inline\nfiles = !ls\nos?'],
    ['code', '%%bash\necho hi'],
    ['code', '%%time\nx = 1\nif x:\n    !echo yes\n    y = 2'],
  ];

  it('numbers cells as the notebook does, comments out IPython lines and keeps every other line and column', () => {
    const source = notebookJsonToSource(nbJson(cells));
    const lines = source.split('\n');
    assert.equal(lines[0], '#%% crossproc cell 2');
    assert.equal(lines[1], 'import os');
    assert.equal(lines[2], '#crossproc-magic:%matplotlib inline');
    assert.equal(lines[3], '#crossproc-magic:files = !ls');
    assert.equal(lines[4], '#crossproc-magic:os?');
    assert.equal(lines[5], '#%% crossproc cell 3');
    assert.equal(lines[7], '#crossproc-magic:echo hi', 'a %%bash cell is not Python');
    assert.equal(lines[10], 'x = 1', 'a %%time cell is');
    assert.equal(lines[12], '    #crossproc-magic:!echo yes');
    const layout = new CellLayout(source);
    assert.deepEqual(layout.toCell({ line: 13, character: 4 }), { cell: 4, line: 4, character: 4 });
    assert.deepEqual(layout.fromCell(4, 4, 4), { line: 13, character: 4 });
    assert.deepEqual(layout.toCell({ line: 0, character: 0 }), { cell: 2, line: 0, character: 0 }, 'the top of the text is the first code cell');
    assert.deepEqual(layout.toCellEnd({ line: 5, character: 0 }), { cell: 2, line: 3, character: '#crossproc-magic:os?'.length - '#crossproc-magic:'.length });
  });

  it('parses as Python without syntax problems, and a notebook in another language is not analysed', async () => {
    const findings = await analyzeSources([{ path: '/nb/a.ipynb', text: nbJson(cells) }]);
    assert.deepEqual(findings, []);
    assert.equal(notebookJsonToSource(nbJson([['code', 'x <- 1']], 'R')), '');
    assert.equal(parseNotebook('not json'), undefined);
    assert.equal(notebookJsonToSource('{"cells": 3}'), '');
  });

  it('splits the text back into cells exactly, IPython lines restored', () => {
    const parsed = parseNotebook(nbJson(cells))!;
    const source = notebookSource(parsed.cells);
    const back = splitNotebookSource(source, [2, 3, 4])!;
    assert.deepEqual([...back.values()], [parsed.cells[1]!.text, parsed.cells[2]!.text, parsed.cells[3]!.text]);
    assert.equal(splitNotebookSource(source.replace('#%% crossproc cell 3\n', ''), [2, 3, 4]), undefined, 'a lost marker writes nothing');
  });

  it('writes only the changed cell source into the .ipynb, outputs and layout kept', () => {
    const json = nbJson(cells);
    const source = notebookJsonToSource(json).replace('import os', 'import os\nimport sys');
    const out = applySourceToNotebook(json, source)!;
    const before = JSON.parse(json);
    const after = JSON.parse(out);
    assert.deepEqual(after.cells[1].source, ['import os\n', 'import sys\n', '%matplotlib inline\n', 'files = !ls\n', 'os?']);
    after.cells[1].source = before.cells[1].source;
    assert.deepEqual(after, before, 'nothing else changed');
    assert.equal(out, json.replace('    "import os\\n",\n', '    "import os\\n",\n    "import sys\\n",\n'), 'one line added, in the file\'s own layout');
    assert.equal(applySourceToNotebook(json, notebookJsonToSource(json)), json, 'no change, same bytes');
  });

  it('a mangled notebook never throws, and every finding maps into a cell that exists', async () => {
    const file = path.resolve(__dirname, '..', 'fixtures', 'notebooks', 'unimportable-executor-map', 'nb.ipynb');
    const json = fs.readFileSync(file, 'utf8');
    const rand = prng(15);
    const project = await Project.create();
    const target = '/fuzz/nb.ipynb';
    for (let i = 0; i < 300; i++) {
      let text = json;
      const at = Math.floor(rand() * text.length);
      switch (i % 4) {
        case 0:
          text = text.slice(0, at);
          break;
        case 1:
          text = text.slice(0, at) + String.fromCharCode(Math.floor(rand() * 128)) + text.slice(at + 1);
          break;
        case 2:
          text = text.slice(0, at) + '%%bash\\n!x\\n' + text.slice(at);
          break;
        default:
          text = text.slice(0, at) + text.slice(Math.min(text.length, at + Math.floor(rand() * 40)));
      }
      project.updateFile(target, text);
      const source = project.text(target)!;
      const cells = new CellLayouts(() => source);
      const count = (JSON.parse(json) as { cells: unknown[] }).cells.length + 1;
      for (const f of project.analyze()) {
        const shown = cells.finding(f);
        assert.ok(shown.cell !== undefined && shown.cell >= 1 && shown.cell <= count, `cell ${shown.cell}`);
        assert.ok(shown.range.start.line >= 0 && shown.range.start.character >= 0);
      }
    }
  });
});
