/**
 * The V8 flags a CLI run sets (server/src/cli/compilerTiers.ts): Liftoff only for little
 * Python; a larger tier-up budget always; neither when the user gave a flag about the same
 * thing.
 */
import { strict as assert } from 'node:assert';
import { INTERRUPT_BUDGET, LIFTOFF_ONLY_BELOW, tierFlags } from '../server/src/cli/compilerTiers';

const budget = `--interrupt-budget=${INTERRUPT_BUDGET}`;

describe('compiler tiers of a CLI run', () => {
  it('raises V8\'s tier-up budget for every run', () => {
    assert.deepEqual(tierFlags(LIFTOFF_ONLY_BELOW, ''), [budget]);
    assert.deepEqual(tierFlags(10 * LIFTOFF_ONLY_BELOW, '--max-old-space-size=4096'), [budget]);
  });

  it('stays on Liftoff for little Python', () => {
    assert.deepEqual(tierFlags(LIFTOFF_ONLY_BELOW - 1, ''), ['--liftoff-only', budget]);
    assert.deepEqual(tierFlags(0, ''), ['--liftoff-only', budget]);
  });

  it('leaves to the user what their flags choose', () => {
    assert.deepEqual(tierFlags(0, '--interrupt-budget=1000'), ['--liftoff-only']);
    assert.deepEqual(tierFlags(0, '--no-liftoff'), [budget]);
    assert.deepEqual(tierFlags(0, '--wasm-dynamic-tiering --interrupt-budget=1'), []);
  });
});
