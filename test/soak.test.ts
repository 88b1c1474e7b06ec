/**
 * The short, seeded form of `npm run soak` (test/support/soak.ts): an editing session with
 * requests in between against the built server. Every request must succeed, the server must
 * shut down cleanly, and its RSS at rest must not climb from one sample to the next beyond
 * noise (the full run checks the 10 % band over 10,000 edits).
 */
import { strict as assert } from 'node:assert';
import { runSoak } from './support/soak';

describe('soak (short form)', function () {
  this.timeout(300_000);

  it('600 edits with requests in between: no failed request, a clean exit, RSS at rest bounded', async () => {
    const result = await runSoak({ edits: 600, sampleEvery: 200, seed: 3 });
    assert.deepEqual(result.errors, []);
    assert.equal(result.exitCode, 0);
    assert.ok(result.requests >= 150, `only ${result.requests} requests`);
    const rss = result.samples.map((s) => s.rssMb);
    assert.equal(rss.length, 3);
    assert.ok(rss.every((r) => r > 0), `RSS samples: ${rss.join(', ')}`);
    // the first two samples are the warm-up (RSS at rest varies by ±30 MB between them from
    // GC timing alone); the last stays within a quarter of their peak
    const warm = Math.max(rss[0]!, rss[1]!);
    assert.ok(rss[2]! <= warm * 1.25, `RSS at rest grew: ${rss.join(' → ')} MB`);
  });
});
