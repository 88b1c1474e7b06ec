/**
 * `npm run soak`: a 10,000-edit session against the built language server (see
 * test/support/soak.ts), printing the server's RSS every 500 edits. It fails when a request
 * fails, the server does not exit cleanly, or RSS after warm-up (the first 2,000 edits)
 * strays more than 10 % from its median.
 *
 *   npm run soak [-- --edits 10000] [--seed N]
 */
import { runSoak } from '../test/support/soak';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const edits = Number(arg('edits') ?? 10_000);
  const seed = Number(arg('seed') ?? 1);
  const warmup = Math.min(2000, Math.floor(edits / 5));
  const started = Date.now();
  const result = await runSoak({ edits, seed, sampleEvery: 500, log: (line) => console.log(line) });
  const after = result.samples.filter((s) => s.edits > warmup).map((s) => s.rssMb);
  const median = [...after].sort((a, b) => a - b)[Math.floor(after.length / 2)] ?? 0;
  const worst = Math.max(0, ...after.map((r) => Math.abs(r - median) / median));
  console.log(
    `\n${result.edits} edits, ${result.requests} requests in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
      `RSS after ${warmup} edits: median ${median} MB, min ${Math.min(...after)} MB, max ${Math.max(...after)} MB ` +
      `(${(worst * 100).toFixed(1)} % from the median); server exit code ${result.exitCode}`,
  );
  const problems: string[] = [];
  if (result.errors.length > 0) problems.push(`${result.errors.length} requests failed, e.g. ${result.errors[0]}`);
  if (result.exitCode !== 0) problems.push(`the server exited with ${result.exitCode}`);
  if (worst > 0.1) problems.push('RSS after warm-up strays more than 10 % from its median');
  for (const p of problems) console.log(`FAILED: ${p}`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

void main();
