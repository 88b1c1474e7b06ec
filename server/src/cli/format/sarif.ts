/**
 * `--format sarif`: a SARIF 2.1.0 log for GitHub code scanning (and any SARIF viewer).
 *
 * - Self-contained: each rule carries its documentation (`fullDescription`, `help.text`,
 *   `help.markdown`, from the shipped `rules/<id>.md`), and nothing links to a file on the
 *   machine that ran the check (no `helpUri`/`informationUri` `file:` URLs; relative links
 *   in the docs become plain text).
 * - Paths are relative URIs against `%SRCROOT%`: the repository root (GITHUB_WORKSPACE)
 *   when the run's folder is inside it, else the working directory.
 * - `partialFingerprints["crossproc/v1"]` hashes the rule, the file, the symbol and the
 *   finding's rank among identical ones — no line number — so moving code keeps an alert.
 * - `invocations[0]` holds the exit code and, as notifications, the files not analysed.
 *
 * Regions are 1-based with UTF-16 columns, which is what the engine's LSP-style positions are.
 */
import { hexDigest } from '../digest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, RelatedLocation, RuleId } from '../../engine/findings';
import type { Range } from '../../engine/model';
import { RULES } from '../../shared/ruleInfo';
import { describeSkipReason } from '../../shared/files';
import { renderRuleDoc } from '../rule';
import { ciRoot, displayPath, type Report } from './report';

const SRCROOT = '%SRCROOT%';
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The key of our fingerprint (GitHub computes and owns `primaryLocationLineHash`). */
export const FINGERPRINT_KEY = 'crossproc/v1';

/** What the SARIF log says about the run besides the report. */
export interface SarifRun {
  /** the CLI's exit code for this report */
  exitCode: number;
  /** GITHUB_WORKSPACE: the repository root URIs are relative to, when it holds the working directory */
  checkout?: string;
}

/** Percent-encodes each path segment so the result is a valid relative URI reference. */
function relativeUri(root: string, file: string): string {
  return displayPath(root, file)
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

function physicalLocation(root: string, file: string, range: Range) {
  return { artifactLocation: { uri: relativeUri(root, file), uriBaseId: SRCROOT }, region: region(range) };
}

/**
 * `[text](target)` → `text` unless the target is an absolute URL (a local file means nothing
 * on GitHub); code blocks and code spans (`handlers[msg.type](msg)`) are left alone.
 */
export function withoutLocalLinks(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const f = /^\s*(```+|~~~+)/.exec(line)?.[1];
      if (fence !== undefined) {
        if (f?.startsWith(fence)) fence = undefined;
        return line;
      }
      if (f) {
        fence = f;
        return line;
      }
      return line
        .split(/(`+[^`]*`+)/)
        .map((part, i) =>
          i % 2 === 1
            ? part
            : part.replace(/(!?)\[([^\]]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)/g, (link, bang: string, text: string, target: string) =>
                /^[a-z][a-z0-9+.-]*:/i.test(target) ? link : bang ? '' : text,
              ),
        )
        .join('');
    })
    .join('\n');
}

interface RuleDoc {
  /** the paragraph under the title, as plain text and as Markdown */
  summary?: { text: string; markdown: string };
  markdown?: string;
  text?: string;
}

const docCache = new Map<string, RuleDoc>();

/** A rule's shipped documentation; empty when the file is missing (a broken install still reports). */
function ruleDoc(packageRoot: string, id: RuleId): RuleDoc {
  const file = path.join(packageRoot, 'rules', `${id}.md`);
  const hit = docCache.get(file);
  if (hit) return hit;
  let doc: RuleDoc = {};
  try {
    const markdown = withoutLocalLinks(fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n')).trim();
    const intro = /^#[^\n]*\n+([^#][\s\S]*?)(?:\n#|$)/.exec(markdown)?.[1]?.trim();
    doc = {
      markdown,
      text: renderRuleDoc(markdown, false).trim(),
      summary: intro ? { markdown: intro, text: intro.replace(/\*\*([^*]+)\*\*/g, '$1').replace(/`([^`]+)`/g, '$1').replace(/\s*\n\s*/g, ' ') } : undefined,
    };
  } catch {
    // no doc: the rule still has its one-line description
  }
  docCache.set(file, doc);
  return doc;
}

/** One fingerprint per finding: rule, file, symbol and rank among identical ones; never the line. */
function fingerprints(findings: readonly Finding[], root: string): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const key = JSON.stringify([f.rule, displayPath(root, f.file), f.symbol]);
    const rank = seen.get(key) ?? 0;
    seen.set(key, rank + 1);
    return hexDigest('sha256', `crossproc\0${key}\0${rank}`);
  });
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
export function toSarif(report: Report, run: SarifRun = { exitCode: report.findings.some((f) => f.severity === 'error') ? 1 : 0 }): object {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i] as const));
  const root = ciRoot(report.cwd, run.checkout);
  const rootUri = pathToFileURL(root).href;
  const prints = fingerprints(report.findings, root);
  const ended = Date.now();
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
            rules: RULES.map((r) => {
              const doc = ruleDoc(report.packageRoot, r.id);
              return {
                id: r.id,
                name: r.id,
                shortDescription: { text: r.description },
                fullDescription: doc.summary ?? { text: r.description },
                ...(doc.text && doc.markdown ? { help: { text: doc.text, markdown: doc.markdown } } : {}),
                defaultConfiguration: { level: r.defaultSeverity },
                properties: { tags: ['correctness', 'concurrency'] },
              };
            }),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            exitCode: run.exitCode,
            exitCodeDescription: run.exitCode === 0 ? 'no finding fails the run' : 'findings fail the run',
            startTimeUtc: new Date(ended - report.stats.durationMs).toISOString(),
            endTimeUtc: new Date(ended).toISOString(),
            // skipped files are tool execution notifications (level note), so nothing is dropped silently
            toolExecutionNotifications: report.skipped.map((s) => ({
              level: 'note',
              descriptor: { id: `skipped/${s.reason}` },
              message: { text: `Skipped ${displayPath(root, s.file)}: ${describeSkipReason(s.reason)}.` },
              locations: [{ physicalLocation: { artifactLocation: { uri: relativeUri(root, s.file), uriBaseId: SRCROOT } } }],
            })),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri.endsWith('/') ? rootUri : `${rootUri}/` } },
        columnKind: 'utf16CodeUnits',
        results: report.findings.map((f: Finding, i) => ({
          ruleId: f.rule,
          ruleIndex: ruleIndex.get(f.rule) ?? -1,
          level: f.severity,
          message: { text: f.message },
          locations: [{ physicalLocation: physicalLocation(root, f.file, f.range), ...cellProperties(f) }],
          relatedLocations: f.related.map((r: RelatedLocation, id: number) => ({
            id,
            physicalLocation: physicalLocation(root, r.file, r.range),
            message: { text: r.message },
            ...cellProperties(r),
          })),
          partialFingerprints: { [FINGERPRINT_KEY]: prints[i] },
          properties: { symbol: f.symbol, ...cellOf(f) },
        })),
      },
    ],
  };
}

export function formatSarif(report: Report, run?: SarifRun): string {
  return JSON.stringify(toSarif(report, run), null, 2) + '\n';
}
