/**
 * `npm test` after the build: the typecheck and the mocha suite run at the same time (the
 * suite does not need the typecheck's output, and both are mostly waiting on one core
 * each); the typecheck's output is printed once it is done. Fails when either fails.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const mocha = require.resolve('mocha/bin/mocha.js');

function run(args, { buffer }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: buffer ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (buffer) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
    }
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const started = Date.now();
const [typecheck, suite] = await Promise.all([
  run([tsc, '-p', '.', '--noEmit'], { buffer: true }),
  run([mocha, ...process.argv.slice(2)], { buffer: false }),
]);
if (typecheck.code !== 0) process.stdout.write(`\ntypecheck (tsc -p . --noEmit) failed:\n${typecheck.output}\n`);
else process.stdout.write(`typecheck passed; npm test took ${((Date.now() - started) / 1000).toFixed(0)} s after the build\n`);
process.exitCode = typecheck.code !== 0 || suite.code !== 0 ? 1 : 0;
