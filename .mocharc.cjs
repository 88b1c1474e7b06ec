/**
 * Mocha runs the test files in parallel worker processes (`jobs`; override with
 * CROSSPROC_TEST_JOBS). The files that run real programs or long property checks are listed
 * first so that they start at once and the short ones fill in around them.
 */
const fs = require('node:fs');
const path = require('node:path');

const FIRST = ['fixtures-run-python', 'fixtures-run-notebooks', 'fixes-run', 'incremental', 'cli', 'fuzz', 'soak', 'config', 'fixtures-run-js', 'sarif'];
const files = fs
  .readdirSync(path.join(__dirname, 'test'))
  .filter((f) => f.endsWith('.test.ts'))
  .sort((a, b) => {
    const rank = (f) => {
      const i = FIRST.indexOf(f.replace(/\.test\.ts$/, ''));
      return i < 0 ? FIRST.length : i;
    };
    return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  })
  .map((f) => `test/${f}`);

module.exports = {
  spec: files,
  'node-option': ['import=tsx'],
  timeout: 60000,
  reporter: 'dot',
  parallel: true,
  jobs: Number(process.env.CROSSPROC_TEST_JOBS) || 3,
};
