/**
 * `--format sarif`: a SARIF 2.1.0 log that GitHub code scanning accepts. Paths are
 * relative URIs against `%SRCROOT%` (the working directory); regions are 1-based with
 * UTF-16 columns, which is what the engine's LSP-style positions are.
 */
import { pathToFileURL } from 'node:url';
import type { Finding, RelatedLocation } from '../../engine/findings';
import type { Range } from '../../engine/model';
import { RULES, ruleDocUrl } from '../../shared/ruleInfo';
import { describeSkipReason } from '../../shared/files';
import { displayPath, type Report } from './report';

const SRCROOT = '%SRCROOT%';
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Percent-encodes each path segment so the result is a valid relative URI reference. */
function relativeUri(cwd: string, file: string): string {
  return displayPath(cwd, file)
    .split('/')
    .map((segment) => (segment === '..' || segment === '.' ? segment : encodeURIComponent(segment)))
    .join('/');
}

function region(range: Range) {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

function physicalLocation(cwd: string, file: string, range: Range) {
  return { artifactLocation: { uri: relativeUri(cwd, file), uriBaseId: SRCROOT }, region: region(range) };
}

/** In a notebook, a location's region is relative to a cell: `{ cell }` (1-based, all cells counted). */
function cellOf(x: object): { cell?: number } {
  return 'cell' in x && typeof x.cell === 'number' ? { cell: x.cell } : {};
}

/** The cell of a notebook location as the location's property bag, and as a logical location a person can read. */
function cellProperties(x: object): object {
  const c = cellOf(x).cell;
  return c === undefined ? {} : { logicalLocations: [{ name: `cell ${c}`, kind: 'module' }], properties: { cell: c } };
}

/** Builds the SARIF log object for a report. */
export function toSarif(report: Report): object {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i] as const));
  const root = pathToFileURL(report.cwd).href;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Crossproc',
            version: report.version,
            semanticVersion: report.version,
            informationUri: pathToFileURL(`${report.packageRoot}/README.md`).href,
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.description },
              helpUri: ruleDocUrl(report.packageRoot, r.id),
              defaultConfiguration: { level: r.defaultSeverity },
            })),
          },
        },
        // skipped files are tool execution notifications (level note), so nothing is dropped silently
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: report.skipped.map((s) => ({
              level: 'note',
              descriptor: { id: `skipped/${s.reason}` },
              message: { text: `Skipped ${displayPath(report.cwd, s.file)}: ${describeSkipReason(s.reason)}.` },
              locations: [{ physicalLocation: { artifactLocation: { uri: relativeUri(report.cwd, s.file), uriBaseId: SRCROOT } } }],
            })),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: root.endsWith('/') ? root : `${root}/` } },
        columnKind: 'utf16CodeUnits',
        results: report.findings.map((f: Finding) => ({
          ruleId: f.rule,
          ruleIndex: ruleIndex.get(f.rule) ?? -1,
          level: f.severity,
          message: { text: f.message },
          locations: [{ physicalLocation: physicalLocation(report.cwd, f.file, f.range), ...cellProperties(f) }],
          relatedLocations: f.related.map((r: RelatedLocation, id: number) => ({
            id,
            physicalLocation: physicalLocation(report.cwd, r.file, r.range),
            message: { text: r.message },
            ...cellProperties(r),
          })),
          properties: { symbol: f.symbol, ...cellOf(f) },
        })),
      },
    ],
  };
}

export function formatSarif(report: Report): string {
  return JSON.stringify(toSarif(report), null, 2) + '\n';
}
