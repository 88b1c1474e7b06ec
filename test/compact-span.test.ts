import { strict as assert } from 'node:assert';
import { Span, plainRange, toSpan } from '../server/src/engine/compact';

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
});
