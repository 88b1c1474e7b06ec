/**
 * Where and how the built CLI writes its report: -o/--output-file, --color/--no-color,
 * FORCE_COLOR / NO_COLOR, and the one-line note of a clean run.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PYTHON_PROGRAM, makeTree, runCli, runCliWithEnv } from './support/programs';

const ANSI = /\u001b\[/;

describe('CLI output: -o, colour, clean runs', () => {
  const made: string[] = [];
  const tree = (files: Record<string, string>) => {
    const root = makeTree(files);
    made.push(root);
    return root;
  };
  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('-o writes the report (any format) to the file, creating folders, and nothing to stdout', () => {
    const root = tree(PYTHON_PROGRAM);
    const plain = runCli(root);
    for (const [args, file] of [
      [['-o', 'out/report.txt'], 'out/report.txt'],
      [['--output-file=r.json', '--format', 'json'], 'r.json'],
      [['--output-file', 'r.sarif', '--format', 'sarif'], 'r.sarif'],
    ] as const) {
      const run = runCli(root, ...args);
      assert.equal(run.code, plain.code, args.join(' '));
      assert.equal(run.stdout, '', `${args.join(' ')}: nothing on stdout`);
      const written = fs.readFileSync(path.join(root, file), 'utf8');
      if (file.endsWith('.txt')) assert.equal(written, plain.stdout, 'the same stylish report');
      else assert.ok(JSON.parse(written), file);
    }
  });

  it('-o gets no colour even when FORCE_COLOR is set, unless --color is given', () => {
    const root = tree(PYTHON_PROGRAM);
    runCliWithEnv(root, { FORCE_COLOR: '1' }, '-o', 'a.txt');
    assert.doesNotMatch(fs.readFileSync(path.join(root, 'a.txt'), 'utf8'), ANSI);
    assert.match(fs.readFileSync(path.join(root, 'a.txt'), 'utf8'), /stale-global-read/);
    runCli(root, '-o', 'b.txt', '--color');
    assert.match(fs.readFileSync(path.join(root, 'b.txt'), 'utf8'), ANSI);
  });

  it('-o into a folder or an unwritable place is exit 2 with one line', () => {
    const root = tree({ ...PYTHON_PROGRAM, 'dir/x': '' });
    const run = runCli(root, '-o', 'dir');
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^crossproc: cannot write the report to 'dir': it is a folder\.\n$/);
    assert.equal(runCli(root, '-o', '').code, 2, 'an empty file name');
  });

  it('colour: --color / --no-color (last wins), FORCE_COLOR, NO_COLOR; none on a pipe by default', function () {
    // fourteen CLI runs: about 5 s on an idle machine, over the default 60 s when the machine is loaded
    this.timeout(240_000);
    const root = tree(PYTHON_PROGRAM);
    assert.doesNotMatch(runCli(root).stdout, ANSI);
    assert.match(runCli(root, '--color').stdout, ANSI);
    assert.doesNotMatch(runCli(root, '--color', '--no-color').stdout, ANSI);
    assert.match(runCli(root, '--no-color', '--color').stdout, ANSI);
    assert.match(runCliWithEnv(root, { FORCE_COLOR: '1' }).stdout, ANSI);
    assert.match(runCliWithEnv(root, { FORCE_COLOR: '' }).stdout, ANSI, 'FORCE_COLOR set but empty means on');
    assert.doesNotMatch(runCliWithEnv(root, { FORCE_COLOR: '0' }).stdout, ANSI);
    assert.doesNotMatch(runCliWithEnv(root, { FORCE_COLOR: 'false' }).stdout, ANSI);
    assert.doesNotMatch(runCliWithEnv(root, { FORCE_COLOR: 'no' }).stdout, ANSI, 'any other value is off, as in Node.js');
    assert.match(runCliWithEnv(root, { FORCE_COLOR: '3', NO_COLOR: '1' }).stdout, ANSI, 'FORCE_COLOR wins over NO_COLOR');
    assert.doesNotMatch(runCliWithEnv(root, { FORCE_COLOR: '1' }, '--no-color').stdout, ANSI);
    assert.match(runCliWithEnv(root, { NO_COLOR: '1' }, '--color').stdout, ANSI, 'the flag wins over NO_COLOR');
    // the JSON format never has colour
    assert.doesNotMatch(runCli(root, '--color', '--format', 'json').stdout, ANSI);
  });

  it('a clean run prints "No problems found in N files." once (stylish only, not with --quiet)', () => {
    const root = tree({ 'a.py': 'print(1)\n', 'b.py': 'print(2)\n', 'c.js': 'console.log(3);\n' });
    assert.equal(runCli(root).stdout, 'No problems found in 3 files.\n');
    assert.equal(runCli(root, 'a.py').stdout, 'No problems found in 1 file.\n');
    assert.equal(runCli(root, '-q').stdout, '');
    assert.deepEqual(JSON.parse(runCli(root, '--format', 'json').stdout).findings, []);
    // warnings filtered out by --quiet leave a silent run
    const warned = tree(PYTHON_PROGRAM);
    assert.equal(runCli(warned, '--quiet').stdout, '');
  });
});

describe('CLI --help', () => {
  it('documents every option the parser accepts, and the README does too', () => {
    const root = path.join(__dirname, '..');
    const source = fs.readFileSync(path.join(root, 'server', 'src', 'cli', 'args.ts'), 'utf8');
    const parser = source.slice(source.indexOf('options: {'), source.indexOf('} catch', source.indexOf('options: {')));
    const flags = [...parser.matchAll(/^\s+'?([a-z-]+)'?: \{ type:/gm)].map((m) => `--${m[1]}`);
    assert.ok(flags.includes('--output-file') && flags.includes('--statistics') && flags.includes('--fix-dry-run'), flags.join(' '));
    const help = runCli(root, '--help').stdout;
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const flag of flags) {
      assert.ok(help.includes(flag), `--help does not mention ${flag}`);
      assert.ok(readme.includes(`\`${flag}`) || readme.includes(`${flag}\``), `README does not mention ${flag}`);
    }
    assert.match(help, /crossproc rule ID \| --all/);
  });
});
