/**
 * The Python framework models beyond the standard library (server/src/frameworks/python/):
 * every system a model names has at least one positive and one negative fixture, static
 * exactly when the model says its runtime does not install here. (The README's table is
 * made from the models: test/frameworks-doc.test.ts.)
 */
import { strict as assert } from 'node:assert';
import { PYTHON_FRAMEWORKS } from '../server/src/frameworks/python';
import { listFixtures, readManifest } from './support/fixtures';

describe('framework models', () => {
  const manifests = listFixtures('python').map((fx) => ({ fx, m: readManifest(fx) as ReturnType<typeof readManifest> & { debian?: string[] } }));
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
      for (const x of mine) assert.equal(x.m.static !== undefined, fw.doc.fixtures === 'static', `${x.fx.name}: static ${x.m.static !== undefined}, model ${fw.doc.fixtures}`);
    });
  }
});
