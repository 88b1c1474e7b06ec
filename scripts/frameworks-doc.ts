/**
 * Writes the README's "Supported frameworks" table from the framework models
 * (`npm run docs:frameworks`); test/frameworks-doc.test.ts fails when it is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { FRAMEWORK_DOCS } from '../server/src/frameworks';
import { frameworksTable, withTable } from '../server/src/frameworks/docs';

const readme = path.join(__dirname, '..', 'README.md');
const text = readFileSync(readme, 'utf8');
const next = withTable(text, frameworksTable(FRAMEWORK_DOCS));
if (next === undefined) {
  console.error('README.md has no frameworks table markers');
  process.exit(2);
}
if (next === text) console.log('README.md: the frameworks table is current');
else {
  writeFileSync(readme, next);
  console.log(`README.md: frameworks table written (${FRAMEWORK_DOCS.length} frameworks)`);
}
