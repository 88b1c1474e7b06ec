/**
 * The CI formats of the built CLI — github (workflow commands), gitlab (Code Quality) and
 * junit (XML) — checked against the findings the JSON format reports for the same run.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeData, escapeProperty } from '../server/src/cli/format/github';
import { xmlEscape } from '../server/src/cli/format/junit';
import { NODE_PROGRAM, PYTHON_PROGRAM, makeTree, runCli, runCliWithEnv } from './support/programs';
import { PYTHON } from './support/run-program';

interface Finding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: string;
  message: string;
}

const prefixed = (prefix: string, files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [`${prefix}/${k}`, v]));
const SPAWNS = 'from multiprocessing import Pool\n\ndef f(x):\n    return x\n\nPool(2).map(f, [1])\nPool(2).map(f, [2])\n';

/** Decodes a workflow command value the way the Actions runner does. */
const unescape = (s: string) => s.replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');

/** Parses XML with Python's ElementTree (a real XML parser) and returns a summary as JSON. */
function parseXml(xml: string): { root: Record<string, string>; suites: Array<{ attrs: Record<string, string>; cases: Array<{ attrs: Record<string, string>; failure?: Record<string, string>; text?: string; skipped?: boolean }> }> } {
  const script = `
import json, sys, xml.etree.ElementTree as E
root = E.fromstring(sys.stdin.buffer.read())
out = {"root": root.attrib, "suites": []}
for s in root.findall("testsuite"):
    cases = []
    for c in s.findall("testcase"):
        f = c.find("failure")
        cases.append({"attrs": c.attrib, "failure": None if f is None else f.attrib, "text": None if f is None else f.text, "skipped": c.find("skipped") is not None})
    out["suites"].append({"attrs": s.attrib, "cases": cases})
print(json.dumps(out))
`;
  const run = spawnSync(PYTHON, ['-c', script], { input: xml, encoding: 'utf8' });
  assert.equal(run.status, 0, `not well-formed XML: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('CLI formats: github, gitlab, junit', () => {
  let root: string;
  let findings: Finding[];
  before(() => {
    root = makeTree({ ...prefixed('node', NODE_PROGRAM), ...prefixed('py', PYTHON_PROGRAM), 'we,ird:spawn.py': SPAWNS });
    findings = (JSON.parse(runCli(root, '--format', 'json').stdout) as { findings: Finding[] }).findings;
    assert.ok(findings.length >= 4);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('github: one escaped workflow command per finding, decoding to the finding', () => {
    const run = runCli(root, '--format', 'github');
    assert.equal(run.code, 1, 'the exit code is that of the findings');
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, findings.length, 'a multi-line message stays on one command line');
    lines.forEach((line, i) => {
      const m = /^::(error|warning) ([^:]*)::(.*)$/.exec(line);
      assert.ok(m, line);
      const f = findings[i]!;
      assert.equal(m[1], f.severity);
      const props = Object.fromEntries(m[2]!.split(',').map((p) => [p.slice(0, p.indexOf('=')), unescape(p.slice(p.indexOf('=') + 1))]));
      assert.deepEqual(props, {
        file: f.file,
        line: String(f.line),
        col: String(f.column),
        endLine: String(f.endLine),
        endColumn: String(f.endColumn),
        title: `Crossproc ${f.rule}`,
      });
      assert.ok(unescape(m[3]!).startsWith(f.message), 'the message, then its related locations');
    });
    assert.ok(lines.some((l) => l.includes('file=we%2Cird%3Aspawn.py,')), 'comma and colon in a path are escaped');
    assert.equal(escapeData('100% done\r\nnext::x'), '100%25 done%0D%0Anext::x');
    assert.equal(escapeProperty('a:b,c%'), 'a%3Ab%2Cc%25');
  });

  it('gitlab: Code Quality issues with the required fields and unique fingerprints stable across line moves', () => {
    const run = runCli(root, '--format', 'gitlab');
    const issues = JSON.parse(run.stdout) as Array<{
      check_name: string;
      description: string;
      fingerprint: string;
      severity: string;
      location: { path: string; lines: { begin: number; end: number } };
    }>;
    assert.equal(issues.length, findings.length);
    issues.forEach((issue, i) => {
      const f = findings[i]!;
      assert.equal(issue.check_name, f.rule);
      assert.equal(issue.severity, f.severity === 'error' ? 'major' : 'minor');
      assert.deepEqual(issue.location, { path: f.file, lines: { begin: f.line, end: f.endLine } });
      assert.match(issue.fingerprint, /^[0-9a-f]{64}$/);
      assert.ok(issue.description.length > 0);
    });
    assert.equal(new Set(issues.map((x) => x.fingerprint)).size, issues.length, 'two spawns of one rule in one file differ');
    // move every line down: lines change, fingerprints do not
    const moved = makeTree({ ...prefixed('node', NODE_PROGRAM), ...prefixed('py', PYTHON_PROGRAM), 'we,ird:spawn.py': `# moved\n\n\n${SPAWNS}` });
    try {
      const again = JSON.parse(runCli(moved, '--format', 'gitlab').stdout) as typeof issues;
      const spawnLines = (xs: typeof issues) => xs.filter((x) => x.location.path === 'we,ird:spawn.py').map((x) => x.location.lines.begin);
      assert.deepEqual(spawnLines(again), spawnLines(issues).map((l) => l + 3));
      assert.deepEqual(again.map((x) => x.fingerprint).sort(), issues.map((x) => x.fingerprint).sort());
    } finally {
      fs.rmSync(moved, { recursive: true, force: true });
    }
    const clean = makeTree({ 'a.py': 'print(1)\n' });
    try {
      assert.equal(runCli(clean, '--format', 'gitlab').stdout, '[]\n');
    } finally {
      fs.rmSync(clean, { recursive: true, force: true });
    }
  });

  it('junit: well-formed XML, a suite per file and a failing case per finding', () => {
    const run = runCli(root, '--format', 'junit');
    assert.equal(run.code, 1);
    const xml = parseXml(run.stdout);
    assert.equal(xml.root['tests'], String(findings.length));
    assert.equal(xml.root['failures'], String(findings.length));
    const files = [...new Set(findings.map((f) => f.file))];
    assert.deepEqual(xml.suites.map((s) => s.attrs['name']), files);
    const cases = xml.suites.flatMap((s) => s.cases);
    assert.equal(cases.length, findings.length);
    cases.forEach((c, i) => {
      const f = findings[i]!;
      assert.equal(c.attrs['name'], `${f.rule}: ${f.file}:${f.line}:${f.column}`);
      assert.equal(c.attrs['classname'], f.file);
      assert.equal(c.failure?.['type'], f.severity);
      assert.equal(c.failure?.['message'], f.message.replace(/\s*\n\s*/g, ' '));
      assert.ok(c.text?.startsWith(`${f.file}:${f.line}:${f.column}: ${f.severity}: `), c.text);
    });
  });

  it('junit: a clean run is one passing case; skipped files are skipped cases; text XML forbids is dropped', () => {
    const clean = makeTree({ 'a.py': 'print(1)\n', 'data.py': 'x = 1\n\u0000\u0001\n' });
    try {
      const run = runCli(clean, '--format', 'junit', '.', 'data.py');
      assert.equal(run.code, 0);
      const xml = parseXml(run.stdout);
      const cases = xml.suites.flatMap((s) => s.cases);
      assert.deepEqual(cases.filter((c) => c.skipped).map((c) => c.attrs['name']), ['data.py'], 'the binary file is a skipped case');
      assert.equal(xml.root['skipped'], '1');
      assert.equal(xml.root['tests'], '2');
      const passing = cases.filter((c) => !c.skipped && !c.failure);
      assert.equal(passing.length, 1);
      assert.match(passing[0]!.attrs['name']!, /^No problems found in \d+ files?$/);
    } finally {
      fs.rmSync(clean, { recursive: true, force: true });
    }
    const nasty = `a<b>&"c'\u0000\u001b\uD800 d\n\te`;
    assert.equal(xmlEscape(nasty), 'a&lt;b&gt;&amp;&quot;c&apos; d&#10;&#9;e');
    const doc = parseXml(`<testsuites><testsuite><testcase name="${xmlEscape(nasty)}"/></testsuite></testsuites>`);
    assert.equal(doc.suites[0]!.cases[0]!.attrs['name'], 'a<b>&"c\' d\n\te');
  });

  it('github and gitlab name files from the repository root (GITHUB_WORKSPACE, CI_PROJECT_DIR) when run in a subfolder', () => {
    const sub = path.join(root, 'py');
    const github = (env: Record<string, string>) => /file=([^,]*),/.exec(runCliWithEnv(sub, env, '--format', 'github').stdout)?.[1];
    assert.equal(github({}), 'main.py');
    assert.equal(github({ GITHUB_WORKSPACE: root }), 'py/main.py');
    assert.equal(github({ GITHUB_WORKSPACE: path.join(root, 'node') }), 'main.py', 'a workspace that does not hold the cwd is ignored');
    const gitlab = (env: Record<string, string>) =>
      (JSON.parse(runCliWithEnv(sub, env, '--format', 'gitlab').stdout) as Array<{ location: { path: string } }>)[0]?.location.path;
    assert.equal(gitlab({}), 'main.py');
    assert.equal(gitlab({ CI_PROJECT_DIR: root }), 'py/main.py');
  });

  it('every format names its findings for the same run; unknown formats are usage errors', () => {
    assert.equal(runCli(root, '--format', 'checkstyle').code, 2);
    assert.match(runCli(root, '--format', 'checkstyle').stderr, /use one of stylish, json, sarif, github, gitlab, junit/);
    assert.ok(fs.existsSync(path.join(root, 'we,ird:spawn.py')));
  });
});
