/**
 * `npm run bench`: bench/table.ts, the table of issue 13's figures (not part of `npm test`).
 * Arguments after `--` go to it, e.g. `npm run bench -- --rounds 5 --no-server`.
 *
 * The detailed benchmarks run on their own:
 *   bench/stdlib.ts     Python front end + engine on the python3 standard library
 *   bench/js.ts         JS/TS front end + engine on this repository's node_modules
 *   bench/keystroke.ts  one edit → updateFile + analyze on a large workspace and on fixtures/
 *   bench/budget.ts     the CLI's CPU ÷ parse-only, against a reference build
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'table.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
