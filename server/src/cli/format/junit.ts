/**
 * `--format junit`: JUnit XML for CI test report views. One test suite per file with
 * findings, one failing test case per finding (its `type` is the severity); files skipped
 * as unreadable are skipped test cases; a clean run is one passing test case, so a report
 * is never empty (some CI systems fail on a report without tests).
 */
import { describeSkipReason } from '../../shared/files';
import type { Finding } from '../../engine/findings';
import { displayPath, type Report } from './report';

/** Text as XML 1.0 character data or attribute value: escaped, characters XML forbids dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** Character data keeps line breaks readable (only markup characters need escaping there). */
function xmlText(s: string): string {
  return xmlEscape(s).replace(/&#10;/g, '\n').replace(/&#9;/g, '\t').replace(/&quot;/g, '"').replace(/&apos;/g, "'");
}

const where = (report: Report, file: string, line: number, column: number) => `${displayPath(report.cwd, file)}:${line + 1}:${column + 1}`;

function testcase(report: Report, f: Finding): string {
  const file = displayPath(report.cwd, f.file);
  const at = where(report, f.file, f.range.start.line, f.range.start.character);
  const body = [`${at}: ${f.severity}: ${f.message} (${f.rule})`, ...f.related.map((r) => `  ${where(report, r.file, r.range.start.line, r.range.start.character)}: ${r.message}`)].join('\n');
  return (
    `    <testcase name="${xmlEscape(`${f.rule}: ${at}`)}" classname="${xmlEscape(file)}" file="${xmlEscape(file)}" line="${f.range.start.line + 1}" time="0">\n` +
    `      <failure message="${xmlEscape(f.message.replace(/\s*\n\s*/g, ' '))}" type="${f.severity}">${xmlText(body)}</failure>\n` +
    `    </testcase>\n`
  );
}

export function formatJunit(report: Report): string {
  const byFile = new Map<string, Finding[]>();
  for (const f of report.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const suites: string[] = [];
  for (const [file, findings] of byFile) {
    const name = xmlEscape(displayPath(report.cwd, file));
    suites.push(
      `  <testsuite name="${name}" tests="${findings.length}" failures="${findings.length}" errors="0" skipped="0" time="0">\n` +
        findings.map((f) => testcase(report, f)).join('') +
        `  </testsuite>\n`,
    );
  }
  if (report.skipped.length > 0) {
    const cases = report.skipped.map((s) => {
      const file = xmlEscape(displayPath(report.cwd, s.file));
      return `    <testcase name="${file}" classname="${file}" file="${file}" time="0">\n      <skipped message="${xmlEscape(describeSkipReason(s.reason))}"/>\n    </testcase>\n`;
    });
    suites.push(`  <testsuite name="skipped files" tests="${cases.length}" failures="0" errors="0" skipped="${cases.length}" time="0">\n${cases.join('')}  </testsuite>\n`);
  }
  if (report.findings.length === 0) {
    const n = report.stats.files;
    suites.push(
      `  <testsuite name="crossproc" tests="1" failures="0" errors="0" skipped="0" time="0">\n` +
        `    <testcase name="${xmlEscape(`No problems found in ${n} file${n === 1 ? '' : 's'}`)}" classname="crossproc" time="0"/>\n` +
        `  </testsuite>\n`,
    );
  }
  const tests = report.findings.length + report.skipped.length + (report.findings.length === 0 ? 1 : 0);
  const seconds = (report.stats.durationMs / 1000).toFixed(3);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="crossproc" tests="${tests}" failures="${report.findings.length}" errors="0" skipped="${report.skipped.length}" time="${seconds}">\n` +
    suites.join('') +
    `</testsuites>\n`
  );
}
