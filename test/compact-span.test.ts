import { strict as assert } from 'node:assert';
import { Span, compactModel, plainRange, toSpan } from '../server/src/engine/compact';
import { initPython, parsePython } from '../server/src/python/frontend';

describe('compact spans', () => {
  it('give back every range they are made from, packed or wide', () => {
    const cases: Array<[number, number, number, number]> = [
      [0, 0, 0, 0],
      [3, 4, 5, 6],
      [0, 2047, 1, 0],
      [0, 2048, 0, 2049],
      [2 ** 20 - 1, 2047, 2 ** 20 - 1, 2047],
      [2 ** 20, 0, 2 ** 20, 1],
      [12, 0, 13, 500_000],
      [7, 1.5, 8, 0],
    ];
    for (const [sl, sc, el, ec] of cases) {
      const s = toSpan(sl, sc, el, ec);
      assert.ok(s instanceof Span);
      const range = { start: { line: sl, character: sc }, end: { line: el, character: ec } };
      assert.deepEqual(plainRange(s), range);
      assert.deepEqual({ start: s.start, end: s.end }, range);
      assert.equal(JSON.stringify(s), JSON.stringify(range));
    }
  });

  it('are shared by equal ranges of one model, and slim units and bindings keep every field that is set', async () => {
    await initPython();
    const m = compactModel(parsePython('/x/m.py', 'X = 1\n\n\ndef task(n):\n    return X + n\n\n\nclass C:\n    Y = 2\n\n    def m(self):\n        yield X\n'));
    const task = m.units.find((u) => u.name === 'task')!;
    // the function's name: its binding's range and its unit's name range, made apart
    assert.equal(m.bindings.get('task')!.range, task.nameRange);
    assert.deepEqual(plainRange(task.nameRange), { start: { line: 3, character: 4 }, end: { line: 3, character: 8 } });
    assert.deepEqual(Object.keys(task).sort(), ['accesses', 'binding', 'calls', 'id', 'isNested', 'kind', 'name', 'nameRange', 'params', 'parent', 'range']);
    assert.equal(m.units.find((u) => u.name === 'C.m')!.isGenerator, true);
    assert.deepEqual(Object.keys(m.bindings.get('X')!).sort(), ['isConst', 'kind', 'name', 'range']);
    assert.equal(m.bindings.get('C')!.attrs!.get('Y')!.name, 'C.Y');
  });
});
