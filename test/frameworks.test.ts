/**
 * The framework models (server/src/frameworks/python/) and what the README says of them:
 * every Python model has a row in "Supported frameworks" whose fixtures column says
 * runnable or static as the model does, with the Debian packages a runnable one needs;
 * every system a model names has at least one positive and one negative fixture.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PYTHON_FRAMEWORKS } from '../server/src/frameworks/python';
import { listFixtures, readManifest } from './support/fixtures';

const README = readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## Supported frameworks'), README.indexOf('\n## ', README.indexOf('## Supported frameworks') + 3));

describe('framework models', () => {
  it('the README has a "Supported frameworks" section', () => {
    assert.ok(README.includes('## Supported frameworks'));
  });

  for (const fw of PYTHON_FRAMEWORKS) {
    it(`${fw.doc.title}: a README row that says how its fixtures run`, () => {
      const row = section.split('\n').find((l) => l.startsWith(`| ${fw.doc.title} |`));
      assert.ok(row, `no row "| ${fw.doc.title} |" in README "Supported frameworks"`);
      const fixtures = row.split('|').slice(-2, -1)[0].trim();
      assert.ok(fixtures.startsWith(fw.doc.fixtures), `${fw.doc.title}: the README says "${fixtures}", the model "${fw.doc.fixtures}"`);
      for (const d of fw.doc.runtime?.debian ?? []) assert.ok(fixtures.includes(d), `${fw.doc.title}: the README row names ${d}`);
    });
  }

  const manifests = listFixtures('python').map((fx) => ({ fx, m: readManifest(fx) as ReturnType<typeof readManifest> & { static?: boolean; debian?: string[] } }));
  const frameworkSystems: Record<string, string> = {
    torch: 'torch.DataLoader',
    celery: 'celery',
    dask: 'dask',
    ray: 'ray',
    pyspark: 'pyspark',
    mpire: 'mpire',
  };
  for (const [id, system] of Object.entries(frameworkSystems)) {
    it(`${id}: positive and negative fixtures, static exactly when the model says`, () => {
      const fw = PYTHON_FRAMEWORKS.find((f) => f.doc.id === id);
      assert.ok(fw, `no model ${id}`);
      const mine = manifests.filter((x) => x.m.system === system);
      assert.ok(mine.some((x) => x.m.kind === 'positive'), `${id}: no positive fixture`);
      assert.ok(mine.some((x) => x.m.kind === 'negative'), `${id}: no negative fixture`);
      for (const x of mine) assert.equal(x.m.static === true, fw.doc.fixtures === 'static', `${x.fx.name}: static ${x.m.static === true}, model ${fw.doc.fixtures}`);
    });
  }
});
