/**
 * The project configuration file (shared/projectConfig.ts): each file kind, the lookup,
 * malformed files and values, `ignore` in the CLI walk, the precedence of flags / editor
 * settings / project file / defaults, and the CLI's exit code 2 on a malformed file.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveSettings, validateEditorSettings } from '../server/src/handlers/configuration';
import { walkSourceFiles } from '../server/src/shared/files';
import {
  IgnoreMatcher,
  emptyProjectConfig,
  loadProjectConfig,
  parseProjectConfig,
  type LoadedProjectConfig,
} from '../server/src/shared/projectConfig';
import { NODE_PROGRAM, PYTHON_PROGRAM, makeTree, runCli } from './support/programs';

const made: string[] = [];
function tree(files: Record<string, string>): string {
  const root = makeTree(files);
  made.push(root);
  return root;
}

function parsed(file: string, text: string): LoadedProjectConfig {
  const result = parseProjectConfig(file, text);
  assert.ok(result, `${file} should hold a configuration`);
  return result;
}

const prefixed = (prefix: string, files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [`${prefix}/${k}`, v]));

interface JsonOut {
  findings: Array<{ file: string; rule: string; severity: string }>;
  stats: { files: number };
}

after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

describe('project configuration: parsing', () => {
  it('reads crossproc.json as JSON with comments and trailing commas', () => {
    const { config, problems } = parsed(
      '/p/crossproc.json',
      `{
        // the team's choices
        "$schema": "./node_modules/crossproc/schema.json",
        "rules": { "stale-global-read": "error", "unguarded-spawn": "off", },
        "startMethod": "spawn",
        /* generated code */
        "ignore": ["build/", "*.gen.py"],
      }`,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(config.rules, { 'stale-global-read': 'error', 'unguarded-spawn': 'off' });
    assert.equal(config.startMethod, 'spawn');
    assert.deepEqual(config.ignore, ['build/', '*.gen.py']);
    assert.equal(config.file, '/p/crossproc.json');
    assert.equal(config.dir, '/p');
  });

  it('reads the "crossproc" key of package.json, and skips a package.json without it', () => {
    const { config, problems } = parsed(
      '/p/package.json',
      JSON.stringify({ name: 'x', crossproc: { rules: { 'lost-global-write': 'warning' }, ignore: 'vendor/' } }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(config.rules, { 'lost-global-write': 'warning' });
    assert.deepEqual(config.ignore, ['vendor/'], 'a single pattern may be a string');
    assert.equal(config.startMethod, undefined);
    assert.equal(parseProjectConfig('/p/package.json', '{ "name": "x" }'), undefined);
    // A broken package.json that cannot be holding our section is not ours to report.
    assert.equal(parseProjectConfig('/p/package.json', '{ "name": '), undefined);
  });

  it('reads [tool.crossproc] of pyproject.toml, and skips a pyproject.toml without it', () => {
    const { config, problems } = parsed(
      '/p/pyproject.toml',
      [
        '[project]',
        'name = "demo"',
        '',
        '[tool.crossproc]',
        'startMethod = "forkserver"',
        'ignore = ["migrations/"]',
        '',
        '[tool.crossproc.rules]',
        '"stale-global-read" = "off"',
        '',
      ].join('\n'),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(config.rules, { 'stale-global-read': 'off' });
    assert.equal(config.startMethod, 'forkserver');
    assert.deepEqual(config.ignore, ['migrations/']);
    assert.equal(parseProjectConfig('/p/pyproject.toml', '[tool.black]\nline-length = 100\n'), undefined);
  });

  it('finds a section whose name is spelled with an escape (the text is screened for the name before parsing)', () => {
    const json = parsed('/p/package.json', '{ "name": "x", "cross\\u0070roc": { "startMethod": "spawn" } }');
    assert.equal(json.config.startMethod, 'spawn');
    const toml = parsed('/p/pyproject.toml', '[tool."cross\\u0070roc"]\nstartMethod = "spawn"\n');
    assert.equal(toml.config.startMethod, 'spawn');
    assert.equal(parseProjectConfig('/p/package.json', '{ "name": "x", "description": "a \\"quoted\\" word" }'), undefined);
    // a file of any other name (crossproc.json, one named by -c) is all settings: never screened
    assert.equal(parsed('/p/ci/strict.json', '{ "startMethod": "spawn" }').config.startMethod, 'spawn');
  });

  it('reports a malformed crossproc.json once, with the position, and applies nothing from it', () => {
    const { config, problems } = parsed('/p/crossproc.json', '{\n  "rules": { "stale-global-read": "off" }\n  "startMethod": "fork"\n}');
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0]!.kind, 'malformed');
    assert.equal(problems[0]!.file, '/p/crossproc.json');
    assert.match(problems[0]!.message, /^invalid JSON at line 3, column 3: comma expected$/);
    assert.deepEqual(config.rules, {});
    assert.equal(config.startMethod, undefined);
  });

  it('reports a malformed pyproject.toml that mentions crossproc once, with the position', () => {
    const { config, problems } = parsed('/p/pyproject.toml', '[tool.crossproc]\nrules = { "stale-global-read" = \n');
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0]!.kind, 'malformed');
    assert.match(problems[0]!.message, /^invalid TOML at line 2, column \d+: /);
    assert.ok(!problems[0]!.message.includes('\n'), 'one line');
    assert.deepEqual(config.rules, {});
  });

  it('reports a section of the wrong type as malformed', () => {
    assert.equal(parsed('/p/package.json', '{ "crossproc": ["rules"] }').problems[0]?.kind, 'malformed');
    assert.equal(parsed('/p/pyproject.toml', '[tool]\ncrossproc = 3\n').problems[0]?.kind, 'malformed');
    assert.equal(parsed('/p/crossproc.json', '"rules"').problems[0]?.kind, 'malformed');
    assert.equal(parsed('/p/crossproc.json', '').problems[0]?.kind, 'malformed');
  });

  it('reports each invalid value once and keeps the valid rest', () => {
    const { config, problems } = parsed(
      '/p/crossproc.json',
      JSON.stringify({
        rules: { 'stale-global-read': 'error', 'no-such-rule': 'off', 'lost-global-write': 'loud' },
        startMethod: 'threads',
        ignore: ['build/', 42],
        colour: 'blue',
      }),
    );
    assert.deepEqual(config.rules, { 'stale-global-read': 'error' });
    assert.equal(config.startMethod, undefined, 'an invalid startMethod falls back to the default');
    assert.deepEqual(config.ignore, ['build/']);
    assert.equal(problems.length, 5, JSON.stringify(problems, null, 2));
    assert.ok(problems.every((p) => p.kind === 'invalid-value' && p.file === '/p/crossproc.json'));
    const text = problems.map((p) => p.message).join('\n');
    assert.match(text, /unknown key "colour"/);
    assert.match(text, /unknown rule "no-such-rule"/);
    assert.match(text, /"rules.lost-global-write" must be "off", "warning" or "error", not "loud"/);
    assert.match(text, /"startMethod" must be one of portable, fork, spawn, forkserver, not "threads"/);
    assert.match(text, /"ignore" entries must be non-empty strings, not 42/);
  });
});

describe('project configuration: lookup', () => {
  it('takes the nearest file walking up, preferring crossproc.json, then package.json, then pyproject.toml', async () => {
    const root = tree({
      'pyproject.toml': '[tool.crossproc]\nstartMethod = "fork"\n',
      'package.json': JSON.stringify({ name: 'root', crossproc: { startMethod: 'spawn' } }),
      'a/package.json': JSON.stringify({ name: 'no-config-here' }),
      'a/b/main.py': 'x = 1\n',
      'c/crossproc.json': '{ "startMethod": "forkserver" }',
      'c/package.json': JSON.stringify({ crossproc: { startMethod: 'fork' } }),
      'd/pyproject.toml': '[tool.crossproc]\nstartMethod = "fork"\n',
    });
    const from = async (rel: string) => (await loadProjectConfig(path.join(root, rel))).config;
    assert.equal((await from('.')).file, path.join(root, 'package.json'), 'package.json before pyproject.toml');
    assert.equal((await from('a/b')).startMethod, 'spawn', 'a package.json without "crossproc" does not stop the walk');
    assert.equal((await from('a/b/main.py')).startMethod, 'spawn', 'a file starts at its folder');
    assert.equal((await from('c')).file, path.join(root, 'c', 'crossproc.json'), 'crossproc.json first');
    assert.equal((await from('d')).startMethod, 'fork');
  });

  it('matches ignore patterns relative to the file that holds them', () => {
    const config = { ...emptyProjectConfig('/p/crossproc.json'), ignore: ['build/', '*.gen.py', 'legacy/**/old_*.js', '!keep.gen.py'] };
    const matcher = new IgnoreMatcher(config);
    assert.ok(matcher.ignores('/p/build', true));
    assert.ok(matcher.ignores('/p/build/x/y.py'), 'a file in an ignored folder');
    assert.ok(matcher.ignores('/p/src/models.gen.py'));
    assert.ok(!matcher.ignores('/p/src/keep.gen.py'), 'negation');
    assert.ok(matcher.ignores('/p/legacy/a/b/old_worker.js'));
    assert.ok(!matcher.ignores('/p/legacy/a/b/worker.js'));
    assert.ok(!matcher.ignores('/elsewhere/build/x.py'), 'outside the configuration folder');
    assert.ok(!new IgnoreMatcher(emptyProjectConfig()).ignores('/p/build/x.py'));
  });

  it('lets the walk skip ignored files and folders', async () => {
    const root = tree({
      'crossproc.json': '{ "ignore": ["generated/", "*_pb2.py"] }',
      'app/main.py': 'x = 1\n',
      'app/api_pb2.py': 'x = 1\n',
      'generated/worker.js': 'x = 1;\n',
    });
    const matcher = new IgnoreMatcher((await loadProjectConfig(root)).config);
    const files: string[] = [];
    for await (const file of walkSourceFiles(root, { exclude: (p, isDir) => matcher.ignores(p, isDir) })) {
      files.push(path.relative(root, file).split(path.sep).join('/'));
    }
    assert.deepEqual(files, ['app/main.py']);
  });
});

describe('project configuration: precedence in the editor', () => {
  const project = {
    ...emptyProjectConfig('/p/crossproc.json'),
    rules: { 'stale-global-read': 'off', 'unguarded-spawn': 'warning' } as const,
    startMethod: 'fork' as const,
  };

  it('editor settings > project file > defaults, rule by rule', () => {
    const problems: string[] = [];
    const editor = validateEditorSettings({ rules: { 'stale-global-read': 'error' } }, (p) => problems.push(p));
    assert.deepEqual(problems, []);
    const settings = resolveSettings(editor, project);
    assert.deepEqual(settings.rules, { 'stale-global-read': 'error', 'unguarded-spawn': 'warning' });
    assert.equal(settings.startMethod, 'fork', 'no editor startMethod: the project file decides');
    assert.equal(settings.enable, true);
    assert.equal(settings.codeLens, true);
    assert.equal(resolveSettings(validateEditorSettings({ startMethod: 'spawn' }, () => undefined), project).startMethod, 'spawn');
    assert.equal(resolveSettings({}, emptyProjectConfig()).startMethod, 'portable');
  });

  it('an invalid editor value is reported once and defers to the project file', () => {
    const problems: string[] = [];
    const editor = validateEditorSettings({ startMethod: 'threads', codeLens: 'yes' }, (p) => problems.push(p));
    assert.equal(problems.length, 2, problems.join('\n'));
    const settings = resolveSettings(editor, project);
    assert.equal(settings.startMethod, 'fork');
    assert.equal(settings.codeLens, true);
  });
});

describe('project configuration: CLI', () => {
  const json = (out: string) => JSON.parse(out) as JsonOut;

  it('applies crossproc.json rules and ignore, with --rule over the file', () => {
    const root = tree({
      ...prefixed('node', NODE_PROGRAM),
      ...prefixed('py', PYTHON_PROGRAM),
      'crossproc.json': '{\n  // py/ is someone else\'s\n  "ignore": ["py/"],\n  "rules": { "stale-global-read": "error" }\n}\n',
    });
    let run = runCli(root, '--format', 'json');
    assert.equal(run.stderr, '');
    let out = json(run.stdout);
    assert.equal(out.stats.files, 3, 'py/main.py is ignored');
    assert.ok(out.findings.every((f) => !f.file.startsWith('py/')));
    const stale = out.findings.find((f) => f.rule === 'stale-global-read');
    assert.equal(stale?.severity, 'error');
    assert.equal(run.code, 1, 'an error-severity finding fails the run');

    run = runCli(root, '--format', 'json', '--rule', 'stale-global-read=off');
    out = json(run.stdout);
    assert.ok(!out.findings.some((f) => f.rule === 'stale-global-read'), 'the flag wins over the file');
    assert.equal(run.code, 0);

    // A file named explicitly is analysed even when `ignore` matches it.
    out = json(runCli(root, '--format', 'json', 'py/main.py').stdout);
    assert.ok(out.findings.some((f) => f.file === 'py/main.py'));
    // So is a folder named explicitly.
    out = json(runCli(root, '--format', 'json', 'py').stdout);
    assert.equal(out.stats.files, 1);
  });

  it('takes startMethod from pyproject.toml unless --start-method is given', () => {
    const root = tree({ ...PYTHON_PROGRAM, 'pyproject.toml': '[tool.crossproc]\nstartMethod = "fork"\n' });
    assert.deepEqual(json(runCli(root, '--format', 'json').stdout).findings, [], 'under fork the worker sees the value');
    const out = json(runCli(root, '--format', 'json', '--start-method', 'spawn').stdout);
    assert.ok(out.findings.some((f) => f.rule === 'stale-global-read'));
  });

  it('reads the "crossproc" key of package.json from a parent folder', () => {
    const root = tree({
      ...prefixed('src', NODE_PROGRAM),
      'package.json': JSON.stringify({ name: 'demo', crossproc: { rules: { 'stale-global-read': 'off' } } }, null, 2),
    });
    const run = runCli(path.join(root, 'src'), '--format', 'json');
    assert.equal(run.stderr, '');
    assert.ok(!json(run.stdout).findings.some((f) => f.rule === 'stale-global-read'));
  });

  for (const [name, text] of [
    ['crossproc.json', '{ "rules": { "stale-global-read": "off" }'],
    ['pyproject.toml', '[tool.crossproc\nrules = {}\n'],
    ['package.json', '{ "name": "demo", "crossproc": { "rules": } }'],
  ] as const) {
    it(`exits 2 with one line naming a malformed ${name}`, () => {
      const root = tree({ ...PYTHON_PROGRAM, [name]: text });
      const run = runCli(root, '--format', 'json');
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, new RegExp(`^crossproc: ${name.replace('.', '\\.')}: invalid (JSON|TOML) at line \\d+, column \\d+: .+\\. Fix the file`));
    });
  }

  it('warns once per invalid value on stderr and keeps going with the rest', () => {
    const root = tree({
      ...prefixed('node', NODE_PROGRAM),
      'crossproc.json': JSON.stringify({ rules: { 'stale-global-read': 'loud', 'unguarded-spawn': 'off' }, startMethod: 1 }),
    });
    const run = runCli(root, '--format', 'json', 'node', '.');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, run.stderr);
    assert.match(lines[0]!, /^crossproc: warning: crossproc\.json: "rules\.stale-global-read" must be "off", "warning" or "error"/);
    assert.match(lines[1]!, /^crossproc: warning: crossproc\.json: "startMethod" must be one of/);
    assert.equal(run.code, 0, 'an invalid value is not a configuration error');
    const out = json(run.stdout);
    assert.equal(out.findings.find((f) => f.rule === 'stale-global-read')?.severity, 'warning', "the rule's default");
  });

  it('exits 2 with one line naming a crossproc.json that exists but cannot be read', () => {
    const root = tree({ ...PYTHON_PROGRAM });
    fs.mkdirSync(path.join(root, 'crossproc.json'));
    const run = runCli(root, '--format', 'json');
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^crossproc: crossproc\.json: the file cannot be read \(it is a folder\)\./);
    if (process.getuid?.() !== 0) {
      // permissions do not stop root: this half only runs as an ordinary user
      fs.rmdirSync(path.join(root, 'crossproc.json'));
      fs.writeFileSync(path.join(root, 'crossproc.json'), '{}');
      fs.chmodSync(path.join(root, 'crossproc.json'), 0);
      const denied = runCli(root);
      assert.equal(denied.code, 2, denied.stderr);
      assert.match(denied.stderr, /^crossproc: crossproc\.json: the file cannot be read \(permission denied\)/);
    }
  });
});

describe('project configuration: deep nesting', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  it('answers "too deep" for a crossproc.json nested 5,000 levels, with exit 2 and no crash', () => {
    const root = tree({ ...PYTHON_PROGRAM, 'crossproc.json': `{"rules": ${deep(5000)}}` });
    const run = runCli(root);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr.trimEnd(), /^crossproc: crossproc\.json: JSON nested more than 100 levels deep at line 1, column \d+\. Fix the file/);
    assert.doesNotMatch(run.stderr, /internal error/);
  });

  it('still reads the "crossproc" key of a package.json nested 50,000 levels elsewhere', () => {
    const root = tree({
      ...PYTHON_PROGRAM,
      'package.json': `{"name": "x", "deep": ${deep(50000)}, "crossproc": {"rules": {"stale-global-read": "off"}}}`,
    });
    const run = runCli(root, '--format', 'json');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.ok(!(JSON.parse(run.stdout) as JsonOut).findings.some((f) => f.rule === 'stale-global-read'));
    const without = tree({ ...PYTHON_PROGRAM, 'package.json': `{"name": "x", "deep": ${deep(50000)}}` });
    assert.equal(runCli(without, '--format', 'json').code, 0);
  });

  it('reports a deep "crossproc" key and deep TOML as malformed, not a crash', () => {
    const pkg = parsed('/p/package.json', `{"crossproc": {"rules": ${deep(20000)}}}`);
    assert.equal(pkg.problems[0]?.kind, 'malformed');
    assert.match(pkg.problems[0]!.message, /nested more than 100 levels deep at line 1, column \d+/);
    const toml = parsed('/p/pyproject.toml', `[tool.crossproc]\nignore = ${deep(20000)}\n`);
    assert.equal(toml.problems[0]?.kind, 'malformed');
    assert.match(toml.problems[0]!.message, /^invalid TOML/);
    const shallow = parsed('/p/crossproc.json', `{"rules": {}, "ignore": ${deep(50)}}`);
    assert.ok(shallow.problems.every((p) => p.kind === 'invalid-value'), 'valid JSON within the limit is read');
  });
});
