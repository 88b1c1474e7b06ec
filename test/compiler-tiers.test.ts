/**
 * The V8 flags a CLI run sets (server/src/cli/compilerTiers.ts): Liftoff only for little
 * Python; a larger tier-up budget always, larger still and a scavenge on one thread when
 * the run has more Python than JS/TS; none of them when the user gave a flag about the
 * same thing.
 */
import { strict as assert } from 'node:assert';
import { GC_FLAG, INTERRUPT_BUDGET, LIFTOFF_ONLY_BELOW, PYTHON_INTERRUPT_BUDGET, tierFlags } from '../server/src/cli/compilerTiers';

const budget = `--interrupt-budget=${INTERRUPT_BUDGET}`;
const pythonBudget = `--interrupt-budget=${PYTHON_INTERRUPT_BUDGET}`;

describe('compiler tiers of a CLI run', () => {
  it('raises V8\'s tier-up budget for every run', () => {
    assert.deepEqual(tierFlags(LIFTOFF_ONLY_BELOW, LIFTOFF_ONLY_BELOW, ''), [budget]);
    assert.deepEqual(tierFlags(0, 1000, '--max-old-space-size=4096'), ['--liftoff-only', budget]);
  });

  it('raises it further and scavenges on one thread when Python leads', () => {
    assert.deepEqual(tierFlags(10 * LIFTOFF_ONLY_BELOW, 0, ''), [pythonBudget, GC_FLAG]);
    assert.deepEqual(tierFlags(10 * LIFTOFF_ONLY_BELOW, LIFTOFF_ONLY_BELOW, '--max-old-space-size=4096'), [pythonBudget, GC_FLAG]);
  });

  it('stays on Liftoff for little Python', () => {
    assert.deepEqual(tierFlags(LIFTOFF_ONLY_BELOW - 1, 0, ''), ['--liftoff-only', pythonBudget, GC_FLAG]);
    assert.deepEqual(tierFlags(0, 0, ''), ['--liftoff-only', budget]);
  });

  it('leaves to the user what their flags choose', () => {
    assert.deepEqual(tierFlags(100, 0, '--interrupt-budget=1000'), ['--liftoff-only', GC_FLAG]);
    assert.deepEqual(tierFlags(0, 100, '--no-liftoff'), [budget]);
    assert.deepEqual(tierFlags(0, 100, '--wasm-dynamic-tiering --interrupt-budget=1'), []);
    assert.deepEqual(tierFlags(100, 0, '--single-threaded-gc'), ['--liftoff-only', pythonBudget]);
    assert.deepEqual(tierFlags(100, 0, '--parallel-scavenge --interrupt-budget=1 --liftoff'), []);
  });
});
