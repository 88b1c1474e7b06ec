/**
 * Reading the project's Python version (requires-python, Poetry, .python-version, the
 * project file's pythonVersion), Python's default start method per platform and version,
 * and the CLI's wording with a version.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultStartMethod, reimportDefaultsWords } from '../server/src/engine/pythonDefaults';
import { parseProjectConfig } from '../server/src/shared/projectConfig';
import {
  findPythonVersion,
  normalizePythonVersion,
  parseDotPythonVersion,
  pyprojectPythonVersion,
  requiresPythonLowerBound,
} from '../server/src/shared/pythonVersion';
import { PYTHON_PROGRAM, makeTree, runCli } from './support/programs';

describe('Python version awareness', function () {
  this.timeout(30_000);

  it('takes the lower bound of requires-python specifiers', () => {
    const cases: Array<[string, string | undefined]> = [
      ['>=3.9', '3.9'],
      ['>=3.10, <4', '3.10'],
      ['~=3.11.2', '3.11'],
      ['==3.12.*', '3.12'],
      ['>3.8', '3.8'],
      ['>=3', '3.0'],
      ['<3.13', undefined],
      ['!=3.9.*', undefined],
      ['^3.10', '3.10'],
      ['>=3.12,>=3.9', '3.9'],
      ['', undefined],
    ];
    for (const [spec, want] of cases) assert.equal(requiresPythonLowerBound(spec), want, spec);
  });

  it('reads pyproject.toml (PEP 621, then Poetry) and .python-version', () => {
    assert.deepEqual(pyprojectPythonVersion('[project]\nrequires-python = ">=3.11"\n'), { version: '3.11', spec: '>=3.11', key: 'requires-python' });
    assert.equal(pyprojectPythonVersion('[tool.poetry.dependencies]\npython = "^3.9"\n')?.version, '3.9');
    assert.equal(pyprojectPythonVersion('[project]\nname = "x"\n'), undefined);
    assert.equal(pyprojectPythonVersion('not = [toml'), undefined);
    assert.equal(parseDotPythonVersion('# pinned\n3.13.1\n3.12\n'), '3.12');
    assert.equal(parseDotPythonVersion('system\n'), undefined);
    assert.equal(normalizePythonVersion('cpython-3.12.4'), '3.12');
    assert.equal(normalizePythonVersion('pypy3.10'), '3.10');
    assert.equal(normalizePythonVersion('3'), undefined);
  });

  it('the nearest folder wins; requires-python before .python-version in one folder', async () => {
    const root = makeTree({
      'pyproject.toml': '[project]\nrequires-python = ">=3.9"\n',
      '.python-version': '3.13\n',
      'sub/.python-version': '3.14\n',
      'sub/deeper/x.py': '',
    });
    try {
      assert.equal((await findPythonVersion(root))?.version, '3.9');
      assert.equal((await findPythonVersion(path.join(root, 'sub', 'deeper', 'x.py')))?.source, '.python-version');
      assert.equal((await findPythonVersion(path.join(root, 'sub', 'deeper')))?.version, '3.14');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('validates pythonVersion in the project file (strings only: a TOML 3.10 is the number 3.1)', () => {
    const ok = parseProjectConfig('/p/crossproc.json', '{ "pythonVersion": "3.12" }')!;
    assert.equal(ok.config.pythonVersion, '3.12');
    assert.deepEqual(ok.problems, []);
    const bad = parseProjectConfig('/p/pyproject.toml', '[tool.crossproc]\npythonVersion = 3.10\n')!;
    assert.equal(bad.config.pythonVersion, undefined);
    assert.match(bad.problems[0]!.message, /^"pythonVersion" must be a version string such as "3\.12", not 3\.1; ignoring it\.$/);
  });

  it("knows each platform's default start method by version", () => {
    assert.equal(defaultStartMethod('Linux', '3.13'), 'fork');
    assert.equal(defaultStartMethod('Linux', '3.14'), 'forkserver');
    assert.equal(defaultStartMethod('macOS', '3.7'), 'fork');
    assert.equal(defaultStartMethod('macOS', '3.8'), 'spawn');
    assert.equal(defaultStartMethod('Windows', '3.6'), 'spawn');
    assert.equal(reimportDefaultsWords(undefined), '(the default on macOS and Windows, and on Linux from Python 3.14)');
    assert.equal(reimportDefaultsWords('3.7'), '(Python 3.7: the default on Windows, on Linux from 3.14 and on macOS from 3.8)');
  });

  it('the CLI words its messages for the version pyproject.toml declares; the findings stay the same', () => {
    const root = makeTree({ ...PYTHON_PROGRAM });
    try {
      const before = JSON.parse(runCli(root, '--format', 'json', '.').stdout);
      fs.writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nrequires-python = ">=3.14"\n');
      const after = JSON.parse(runCli(root, '--format', 'json', '.').stdout);
      const shape = (r: { findings: Array<{ rule: string; line: number }> }) => r.findings.map((f) => [f.rule, f.line]);
      assert.deepEqual(shape(after), shape(before));
      assert.match(before.findings[0].message, /\(the default on macOS and Windows, and on Linux from Python 3\.14\)/);
      assert.match(after.findings[0].message, /\(Python 3\.14: the default everywhere\)/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
