/**
 * The CLI on Jupyter notebooks: positions named by cell in stylish, JSON and SARIF (fields
 * added, none changed), `--diff` of the move-to-module fix (the new module as a new file),
 * and `--fix` refusing to create the module outside the paths given.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { makeTree, runCli } from './support/programs';
import { whyNotCreatable } from '../server/src/cli/fix';

/** A notebook: markdown, imports (with an IPython line), the task's def, the pool. */
function notebook(): string {
  const cell = (type: string, source: string[]) => ({ cell_type: type, metadata: {}, source, ...(type === 'code' ? { execution_count: null, outputs: [] } : {}) });
  return (
    JSON.stringify(
      {
        cells: [
          cell('markdown', ['# Squares']),
          cell('code', ['from concurrent.futures import ProcessPoolExecutor\n', '%load_ext autoreload']),
          cell('code', ['BASE = 2\n', '\n', 'def square(x):\n', '    return x ** BASE']),
          cell('code', ['with ProcessPoolExecutor(2) as ex:\n', '    print(list(ex.map(square, [1, 2])))']),
        ],
        metadata: { kernelspec: { language: 'python', name: 'python3' } },
        nbformat: 4,
        nbformat_minor: 5,
      },
      null,
      1,
    ) + '\n'
  );
}

interface SarifLocation {
  physicalLocation: { region: { startLine: number } };
  properties?: { cell?: number };
  logicalLocations?: Array<{ name: string }>;
}
interface SarifLog {
  runs: Array<{ results: Array<{ locations: SarifLocation[]; properties: { cell?: number } }> }>;
}

describe('CLI on notebooks', function () {
  this.timeout(120_000);
  let root: string;

  beforeEach(() => {
    root = makeTree({ 'nbs/squares.ipynb': notebook(), 'other/keep.py': 'X = 1\n' });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stylish names the cell: cell:line:column, and messages point at cells', () => {
    const r = runCli(root, 'nbs');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^nbs\/squares\.ipynb$/m);
    assert.match(r.stdout, /^ {2}cell 3:3:5 {2}error {2}'square' is defined in this notebook, which the workers .*\(ProcessPoolExecutor\.map, squares\.ipynb:cell 4:2\).*unimportable-task$/m);
  });

  it('JSON keeps its fields (line and column in the cell) and adds the cell', () => {
    const r = runCli(root, '--format', 'json', 'nbs');
    const f = (JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>> }).findings[0]!;
    assert.deepEqual(
      { file: f['file'], line: f['line'], column: f['column'], endLine: f['endLine'], endColumn: f['endColumn'], cell: f['cell'], rule: f['rule'], symbol: f['symbol'] },
      { file: 'nbs/squares.ipynb', line: 3, column: 5, endLine: 3, endColumn: 11, cell: 3, rule: 'unimportable-task', symbol: 'square' },
    );
    assert.deepEqual(f['related'], [
      { file: 'nbs/squares.ipynb', line: 2, column: 16, message: "'square' is sent to the workers here (ProcessPoolExecutor.map)", cell: 4 },
    ]);
    assert.deepEqual(f['fixes'], [
      { title: "Move 'square' into squares_tasks.py and import it" },
      { title: 'Disable unimportable-task for this line' },
      { title: 'Disable unimportable-task for this file' },
    ]);
  });

  it('SARIF stays valid and names the cell', () => {
    const log = JSON.parse(runCli(root, '--format', 'sarif', 'nbs').stdout) as SarifLog;
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5)));
    const result = log.runs[0]!.results[0]!;
    assert.equal(result.properties.cell, 3);
    assert.equal(result.locations[0]!.properties?.cell, 3);
    assert.equal(result.locations[0]!.logicalLocations?.[0]?.name, 'cell 3');
    assert.equal(result.locations[0]!.physicalLocation.region.startLine, 3);
  });

  it('--diff shows the cell edit and the new module as a new file; nothing is written', () => {
    const before = fs.readFileSync(path.join(root, 'nbs/squares.ipynb'), 'utf8');
    const r = runCli(root, '--diff', 'nbs');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^--- a\/nbs\/squares\.ipynb$/m);
    assert.match(r.stdout, /^-    "def square\(x\):\\n",$/m);
    assert.match(r.stdout, /^\+    "from squares_tasks import square"$/m);
    assert.match(r.stdout, /^--- \/dev\/null\n\+\+\+ b\/nbs\/squares_tasks\.py$/m);
    assert.match(r.stdout, /^\+BASE = 2$/m);
    assert.equal(fs.readFileSync(path.join(root, 'nbs/squares.ipynb'), 'utf8'), before);
    assert.ok(!fs.existsSync(path.join(root, 'nbs/squares_tasks.py')));
  });

  it('--fix creates the module beside a notebook named on the command line, and never over an existing file', () => {
    fs.writeFileSync(path.join(root, 'other/nb.ipynb'), notebook());
    // the notebook is named as a file: its folder is not a target, but the module goes beside it
    const outside = runCli(root, '--fix', 'other/keep.py', 'nbs/squares.ipynb');
    assert.match(outside.stderr, /applied 1 fix in 2 files/);
    assert.ok(fs.existsSync(path.join(root, 'nbs/squares_tasks.py')), 'beside the named notebook');
    // a module that already exists is not overwritten: no fix is offered
    fs.writeFileSync(path.join(root, 'other/nb_tasks.py'), '# mine\n');
    const again = runCli(root, '--fix', 'other');
    assert.equal(fs.readFileSync(path.join(root, 'other/nb_tasks.py'), 'utf8'), '# mine\n');
    assert.match(again.stderr, /applied 0 fixes/);
  });

  it('a new file may be created only where none is, inside a folder given or beside a file given', async () => {
    const real = fs.realpathSync(root);
    const other = path.join(real, 'other');
    const nb = path.join(real, 'nbs', 'squares.ipynb');
    assert.equal(await whyNotCreatable(path.join(other, 'new.py'), [other]), undefined);
    assert.equal(await whyNotCreatable(path.join(real, 'nbs', 'new.py'), [nb]), undefined);
    assert.equal(await whyNotCreatable(path.join(real, 'nbs', 'new.py'), [other]), 'it is outside the paths given on the command line');
    assert.equal(await whyNotCreatable(path.join(real, 'new.py'), [nb]), 'it is outside the paths given on the command line');
    assert.equal(await whyNotCreatable(path.join(other, 'keep.py'), [other]), 'it already exists');
    fs.symlinkSync(path.join(real, 'nbs'), path.join(other, 'link'));
    assert.equal(await whyNotCreatable(path.join(other, 'link', 'new.py'), [other]), 'it is outside the paths given on the command line', 'not through a symlink');
  });
});
