/**
 * `--format sarif` validated against the SARIF 2.1.0 JSON schema (draft-04), as shipped by
 * Microsoft's SARIF SDK in the npm package @microsoft/jest-sarif (MIT; schema from
 * https://github.com/microsoft/sarif-js-sdk, the 2.1.0 "rtm.5" schema that is the final
 * OASIS SARIF 2.1.0 schema, also published at https://json.schemastore.org/sarif-2.1.0.json).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { withoutLocalLinks } from '../server/src/cli/format/sarif';
import { NODE_PROGRAM, PYTHON_PROGRAM, makeTree, runCli, runCliWithEnv } from './support/programs';

const SCHEMA_PATH = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const REPO = path.join(__dirname, '..');

interface SarifLog {
  version: string;
  runs: Array<{
    tool: {
      driver: {
        name: string;
        version: string;
        rules: Array<{
          id: string;
          helpUri?: string;
          fullDescription: { text: string };
          help: { text: string; markdown: string };
          defaultConfiguration: { level: string };
        }>;
      };
    };
    invocations: Array<{ executionSuccessful: boolean; exitCode: number }>;
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn: number } } }>;
      relatedLocations?: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
      partialFingerprints: Record<string, string>;
    }>;
  }>;
}

function validator() {
  // unicodeRegExp: false — the schema's `language` pattern (`...]?$`) is only valid without the u flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as object);
}

function sarifOf(cwd: string, ...args: string[]): SarifLog {
  return sarifWithEnv(cwd, {}, ...args);
}

function sarifWithEnv(cwd: string, env: Record<string, string>, ...args: string[]): SarifLog {
  const run = runCliWithEnv(cwd, env, '--format', 'sarif', ...args);
  assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as SarifLog;
}

function assertValid(log: SarifLog): void {
  const validate = validator();
  const ok = validate(log);
  assert.ok(ok, `SARIF schema errors:\n${JSON.stringify(validate.errors?.slice(0, 10), null, 2)}`);
}

function assertConsistent(log: SarifLog): void {
  const run = log.runs[0]!;
  assert.equal(log.version, '2.1.0');
  assert.equal(run.tool.driver.name, 'Crossproc');
  assert.ok(run.originalUriBaseIds['%SRCROOT%']!.uri.endsWith('/'));
  for (const result of run.results) {
    assert.equal(run.tool.driver.rules[result.ruleIndex]!.id, result.ruleId);
    for (const loc of [...result.locations, ...(result.relatedLocations ?? [])]) {
      const uri = loc.physicalLocation.artifactLocation.uri;
      assert.ok(!uri.includes('\\') && !uri.startsWith('/') && !uri.includes(':'), `relative URI: ${uri}`);
    }
  }
}

describe('SARIF output', () => {
  it('validates against the SARIF 2.1.0 schema on fixtures/', () => {
    const log = sarifOf(REPO, 'fixtures');
    assertValid(log);
    assertConsistent(log);
    const json = JSON.parse(runCli(REPO, '--format', 'json', 'fixtures').stdout) as { findings: unknown[] };
    assert.equal(log.runs[0]!.results.length, json.findings.length, 'one result per finding');
  });

  it('carries rule metadata, levels, 1-based regions and related locations', () => {
    const root = makeTree({ ...NODE_PROGRAM, 'py/main.py': PYTHON_PROGRAM['main.py']! });
    try {
      const log = sarifOf(root);
      assertValid(log);
      assertConsistent(log);
      const run = log.runs[0]!;
      assert.deepEqual(
        run.tool.driver.rules.map((r) => r.id),
        ['stale-global-read', 'lost-global-write', 'unguarded-spawn', 'thread-primitive-in-process', 'unsendable-payload', 'manager-proxy-serialized', 'unimportable-task'],
      );
      for (const rule of run.tool.driver.rules) assert.ok(['warning', 'error'].includes(rule.defaultConfiguration.level));
      const worker = run.results.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'worker.js');
      assert.ok(worker, 'a result in worker.js');
      assert.equal(worker.ruleId, 'stale-global-read');
      assert.equal(worker.level, 'warning');
      assert.equal(worker.locations[0]!.physicalLocation.region.startLine, 3);
      assert.equal(worker.locations[0]!.physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.ok((worker.relatedLocations ?? []).some((r) => r.physicalLocation.artifactLocation.uri === 'main.js'));
      const py = run.results.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'py/main.py');
      assert.equal(py?.locations[0]!.physicalLocation.region.startLine, 4);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('is valid with no results', () => {
    const root = makeTree({ 'ok.py': 'x = 1\n' });
    try {
      const log = sarifOf(root);
      assertValid(log);
      assert.deepEqual(log.runs[0]!.results, []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('lists skipped files as tool execution notifications, and stays valid', () => {
    const root = makeTree({ 'ok.py': 'x = 1\n', 'sub/binary.py': Buffer.from([0x78, 0x00, 0x01]) });
    try {
      const log = sarifOf(root) as SarifLog & {
        runs: Array<{ invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ level: string; message: { text: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> }>;
      };
      assertValid(log);
      const notes = log.runs[0]!.invocations[0]!.toolExecutionNotifications;
      assert.equal(log.runs[0]!.invocations[0]!.executionSuccessful, true);
      assert.equal(notes.length, 1);
      assert.equal(notes[0]!.level, 'note');
      assert.equal(notes[0]!.locations[0]!.physicalLocation.artifactLocation.uri, 'sub/binary.py');
      assert.match(notes[0]!.message.text, /binary/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  it('embeds each rule\'s documentation and links to nothing on this machine', () => {
    const root = makeTree({ 'py/main.py': PYTHON_PROGRAM['main.py']! });
    try {
      const text = runCli(root, '--format', 'sarif').stdout;
      const log = JSON.parse(text) as SarifLog;
      assertValid(log);
      for (const rule of log.runs[0]!.tool.driver.rules) {
        const doc = fs.readFileSync(path.join(REPO, 'rules', `${rule.id}.md`), 'utf8');
        assert.equal(rule.helpUri, undefined, 'no helpUri');
        assert.ok(rule.help.markdown.startsWith(`# ${rule.id}\n`), rule.id);
        assert.ok(rule.help.markdown.includes('## Why is this bad?') && doc.includes('## Why is this bad?'));
        assert.match(rule.help.text, new RegExp(`^${rule.id}\n=+\n`));
        assert.doesNotMatch(rule.help.text, /\*\*|```/, 'plain text');
        // the doc's first paragraph, as plain text
        assert.ok(rule.fullDescription.text.length > 40 && doc.replace(/\*\*|`/g, '').replace(/\s+/g, ' ').includes(rule.fullDescription.text.slice(0, 40)), rule.fullDescription.text);
      }
      // the only file: URI is %SRCROOT% itself; no path of this machine anywhere else
      const fileUris = [...text.matchAll(/"(file:[^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual(fileUris, [log.runs[0]!.originalUriBaseIds['%SRCROOT%']!.uri], 'the only file: URI is %SRCROOT%');
      assert.ok(!text.includes(REPO), 'the package location does not leak into the log');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('drops relative links from the Markdown, keeps absolute ones and code', () => {
    assert.equal(
      withoutLocalLinks('see [the guard](unguarded-spawn.md#fix), [docs](https://docs.python.org/3/), ![img](../docs/a.png) and [top](#top)'),
      'see the guard, [docs](https://docs.python.org/3/),  and top',
    );
    // code is not a link
    assert.equal(withoutLocalLinks('call `handlers[msg.type](msg)`\n```js\nx[a](b);\n```\n[t](u.md)'), 'call `handlers[msg.type](msg)`\n```js\nx[a](b);\n```\nt');
  });

  it('gives fingerprints that stay when lines move and differ between findings', () => {
    const before = {
      'main.py': [
        'from multiprocessing import Pool',
        'A = None',
        'B = None',
        'def task(x):',
        '    return (A, B, x)',
        'def other(x):',
        '    return (A, x)',
        'if __name__ == "__main__":',
        '    A = 1',
        '    B = 2',
        '    with Pool(2) as p:',
        '        print(p.map(task, [1]), p.map(other, [1]))',
        '',
      ].join('\n'),
    };
    const root = makeTree(before);
    try {
      const first = sarifOf(root).runs[0]!.results;
      assert.ok(first.length >= 2, JSON.stringify(first.map((r) => r.message.text)));
      const prints = first.map((r) => r.partialFingerprints['crossproc/v1']!);
      assert.ok(prints.every((p) => /^[0-9a-f]{64}$/.test(p)));
      assert.equal(new Set(prints).size, prints.length, 'one fingerprint per finding');
      // move everything down: new lines at the top and between the defs
      fs.writeFileSync(path.join(root, 'main.py'), `# moved\n\n\n${before['main.py'].replace('def other', '\n\n# a comment\ndef other')}`);
      const second = sarifOf(root).runs[0]!.results;
      assert.notDeepEqual(
        second.map((r) => r.locations[0]!.physicalLocation.region.startLine),
        first.map((r) => r.locations[0]!.physicalLocation.region.startLine),
      );
      assert.deepEqual(second.map((r) => r.partialFingerprints['crossproc/v1']).sort(), [...prints].sort());
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('records the exit code in invocations', () => {
    const root = makeTree({ ...NODE_PROGRAM });
    try {
      // one warning: exit 0, or 1 with --max-warnings 0
      const run0 = runCli(root, '--format', 'sarif');
      assert.equal(run0.code, 0);
      assert.equal((JSON.parse(run0.stdout) as SarifLog).runs[0]!.invocations[0]!.exitCode, 0);
      const run1 = runCli(root, '--format', 'sarif', '--max-warnings', '0');
      assert.equal(run1.code, 1);
      const inv = (JSON.parse(run1.stdout) as SarifLog).runs[0]!.invocations[0]!;
      assert.equal(inv.exitCode, 1);
      assert.equal(inv.executionSuccessful, true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('makes paths relative to GITHUB_WORKSPACE when run from a subfolder of it', () => {
    const root = makeTree({ 'app/py/main.py': PYTHON_PROGRAM['main.py']! });
    try {
      const log = sarifWithEnv(path.join(root, 'app'), { GITHUB_WORKSPACE: root });
      assertValid(log);
      const run = log.runs[0]!;
      assert.equal(run.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, 'app/py/main.py');
      assert.equal(run.originalUriBaseIds['%SRCROOT%']!.uri, `${pathToFileURL(root).href}/`);
      // outside the workspace: the working directory stays the base
      const alone = sarifWithEnv(path.join(root, 'app'), { GITHUB_WORKSPACE: path.join(os.tmpdir(), 'elsewhere') });
      assert.equal(alone.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, 'py/main.py');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
