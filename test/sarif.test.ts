/**
 * `--format sarif` validated against the SARIF 2.1.0 JSON schema (draft-04), as shipped by
 * Microsoft's SARIF SDK in the npm package @microsoft/jest-sarif (MIT; schema from
 * https://github.com/microsoft/sarif-js-sdk, the 2.1.0 "rtm.5" schema that is the final
 * OASIS SARIF 2.1.0 schema, also published at https://json.schemastore.org/sarif-2.1.0.json).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { NODE_PROGRAM, PYTHON_PROGRAM, makeTree, runCli } from './support/programs';

const SCHEMA_PATH = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const REPO = path.join(__dirname, '..');

interface SarifLog {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; rules: Array<{ id: string; helpUri: string; defaultConfiguration: { level: string } }> } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn: number } } }>;
      relatedLocations?: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
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
  const run = runCli(cwd, '--format', 'sarif', ...args);
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
      for (const rule of run.tool.driver.rules) {
        assert.match(rule.helpUri, new RegExp(`^file:.*/rules/${rule.id}\\.md$`));
        assert.ok(['warning', 'error'].includes(rule.defaultConfiguration.level));
      }
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
});
