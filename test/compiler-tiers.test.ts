/**
 * The V8 flags a CLI run sets (server/src/cli/compilerTiers.ts): Liftoff only for little
 * Python; a larger tier-up budget only when the run's threads use every core it may run
 * on; neither when the user gave a flag about the same thing.
 */
import { strict as assert } from 'node:assert';
import { BUSY_CORES_INTERRUPT_BUDGET, LIFTOFF_ONLY_BELOW, coresBusy, tierFlags } from '../server/src/cli/compilerTiers';

const budget = `--interrupt-budget=${BUSY_CORES_INTERRUPT_BUDGET}`;

describe('compiler tiers of a CLI run', () => {
  it('keeps V8\'s tier-up budget while a core is spare, and raises it when the threads use every core', () => {
    assert.equal(coresBusy(1, 2), false);
    assert.equal(coresBusy(1, 1), true);
    assert.equal(coresBusy(2, 2), true);
    assert.equal(coresBusy(4, 2), true);
    assert.deepEqual(tierFlags(LIFTOFF_ONLY_BELOW, 1, '', 2), []);
    assert.deepEqual(tierFlags(LIFTOFF_ONLY_BELOW, 1, '', 1), [budget]);
    assert.deepEqual(tierFlags(LIFTOFF_ONLY_BELOW, 2, '', 2), [budget]);
    assert.deepEqual(tierFlags(LIFTOFF_ONLY_BELOW, 2, '', 8), []);
  });

  it('stays on Liftoff for little Python, whatever the cores', () => {
    assert.deepEqual(tierFlags(LIFTOFF_ONLY_BELOW - 1, 1, '', 2), ['--liftoff-only']);
    assert.deepEqual(tierFlags(0, 2, '', 2), ['--liftoff-only', budget]);
  });

  it('leaves to the user what their flags choose', () => {
    assert.deepEqual(tierFlags(0, 2, '--interrupt-budget=1000', 2), ['--liftoff-only']);
    assert.deepEqual(tierFlags(0, 2, '--no-liftoff', 2), [budget]);
    assert.deepEqual(tierFlags(0, 2, '--wasm-dynamic-tiering --interrupt-budget=1', 2), []);
  });
});
