/**
 * The language server's idle collection (server/src/handlers/memory.ts): a full collection
 * blocks the server for as long as it takes, so a pause makes one only when the heap has
 * grown since the last.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

describe('idle collection', function () {
  this.timeout(120_000);

  it('collects at the first pause, not at a pause after little work, and again once the heap has grown', () => {
    const probe = path.join(__dirname, 'support', 'idle-collector-probe.ts');
    const out = execFileSync(process.execPath, ['--import', 'tsx', probe], { encoding: 'utf8', cwd: path.join(__dirname, '..') });
    const { counts } = JSON.parse(out.trim().split('\n').pop()!) as { counts: number[] };
    const [first, second, allocated, third] = counts as [number, number, number, number];
    assert.ok(first >= 1, `no full collection at the first pause: ${counts.join(', ')}`);
    assert.equal(second, first, `a full collection at a pause after little work: ${counts.join(', ')}`);
    assert.ok(third > allocated, `no full collection once the heap had grown by 40 MB: ${counts.join(', ')}`);
  });
});
