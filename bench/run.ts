/**
 * `npm run bench`: runs each benchmark in its own Node process (so peak RSS is per
 * benchmark). Not part of `npm test`. Arguments after `--` go to every benchmark, e.g.
 * `npm run bench -- --findings 20`.
 *
 *   bench/stdlib.ts  Python front end + engine on the python3 standard library
 *   bench/js.ts      JS/TS front end + engine on this repository's node_modules
 *   bench/keystroke.ts  one edit → updateFile + analyze on a large workspace and on fixtures/
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const benches = ['stdlib.ts', 'js.ts', 'keystroke.ts'];
let failed = false;
for (const b of benches) {
  const file = path.join(__dirname, b);
  console.log(`\n== ${b}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
