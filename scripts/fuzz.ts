/**
 * `npm run fuzz`: the fast-check fuzzer of test/support/fuzz.ts at length (the test suite
 * runs a short seeded form). Every tenth batch uses the expensive mutations too (10,000-deep
 * nesting, megabyte lines).
 *
 *   npm run fuzz [-- --runs 100000] [--seed N]
 *
 * Prints the inputs tried, the slowest input's CPU time and, on a failure, fast-check's
 * shrunk counterexample with its seed and path (re-run with the same --seed to reproduce).
 */
import { fuzz } from '../test/support/fuzz';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const runs = Number(arg('runs') ?? 100_000);
  const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
  const started = Date.now();
  const batch = 10_000;
  let inputs = 0;
  let slowest = 0;
  console.log(`fuzzing ${runs} inputs, seed ${seed}`);
  for (let b = 0; inputs < runs; b++) {
    const heavy = b % 10 === 9;
    const n = Math.min(heavy ? batch / 10 : batch, runs - inputs);
    const report = await fuzz({ runs: n, seed: seed + b, heavy });
    inputs += report.inputs;
    slowest = Math.max(slowest, report.maxCpuMs);
    console.log(`${inputs} inputs (batch ${b}, seed ${seed + b}${heavy ? ', heavy' : ''}), slowest ${slowest.toFixed(0)} ms CPU, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (report.failure) {
      console.log(`\nFAILED (batch seed ${seed + b}${heavy ? ', heavy' : ''}):\n${report.failure}`);
      process.exitCode = 1;
      return;
    }
  }
  console.log(`\nno failure in ${inputs} inputs; slowest input ${slowest.toFixed(0)} ms CPU`);
}

void main();
