/**
 * The framework models describe themselves; the README's "Supported frameworks" table is
 * made from those descriptions, and what a model says its runnable fixtures need must be
 * what CI installs.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FRAMEWORK_DOCS } from '../server/src/frameworks';
import { TABLE_END, TABLE_START, frameworksTable, withTable } from '../server/src/frameworks/docs';

const ROOT = path.join(__dirname, '..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

describe('framework models: docs', () => {
  it('the README holds the table the models make (npm run docs:frameworks)', () => {
    const readme = read('README.md');
    assert.ok(readme.includes(TABLE_START) && readme.includes(TABLE_END), 'README.md has the table markers');
    assert.equal(withTable(readme, frameworksTable(FRAMEWORK_DOCS)), readme, 'the README table is out of date: run npm run docs:frameworks');
  });

  it('every model describes itself fully, under a unique id', () => {
    const ids = new Set<string>();
    for (const d of FRAMEWORK_DOCS) {
      assert.ok(!ids.has(d.id), `duplicate framework id ${d.id}`);
      ids.add(d.id);
      assert.ok(d.title.trim() && d.runsInWorker.trim(), `${d.id}: title and runsInWorker`);
      assert.ok(d.channels.length > 0 && d.detected.length > 0, `${d.id}: channels and detected`);
      assert.ok(d.references.length > 0 && d.references.every((r) => /^https:\/\//.test(r)), `${d.id}: https references`);
    }
  });

  it('what a runnable model needs is installed by CI (.ci/run) or a devDependency', () => {
    const ci = read('.ci/run');
    const dev = JSON.parse(read('package.json')).devDependencies as Record<string, string>;
    for (const d of FRAMEWORK_DOCS) {
      if (d.fixtures !== 'runnable') continue;
      for (const pkg of d.runtime?.debian ?? []) assert.match(ci, new RegExp(`\\b${pkg.replace(/[.+]/g, '\\$&')}\\b`), `${d.id}: .ci/run installs ${pkg}`);
      for (const pkg of d.runtime?.npm ?? []) assert.ok(dev[pkg], `${d.id}: ${pkg} is a devDependency`);
    }
  });

  it('the table escapes pipes and keeps one row per model', () => {
    const table = frameworksTable([{ ...FRAMEWORK_DOCS[0]!, title: 'a|b' }]);
    assert.equal(table.split('\n').length, 3);
    assert.match(table, /a\\\|b/);
  });
});
