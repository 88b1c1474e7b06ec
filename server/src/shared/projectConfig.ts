/**
 * The project configuration file, read the same way by the CLI and the language server
 * (SPEC §7): `crossproc.json` (JSON with comments), a `"crossproc"` key in `package.json`,
 * or a `[tool.crossproc]` table in `pyproject.toml`.
 *
 * Lookup: starting at a folder, each folder up to the file-system root is checked for
 * `crossproc.json`, then `package.json` with a `"crossproc"` key, then `pyproject.toml`
 * with `[tool.crossproc]`; the first match wins and nothing is merged. A `package.json` or
 * `pyproject.toml` without our section is not a configuration and the walk goes on.
 *
 * Problems come in two kinds (see {@link ConfigProblem}): a *malformed* file (a syntax
 * error, or a section that is not an object) contributes nothing — every key keeps its
 * default — while an *invalid value* drops that one key (or rule, or glob) and keeps the
 * rest of the file.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
// The ES build: the package's "main" is a UMD wrapper whose dynamic requires esbuild cannot bundle.
import { createScanner, parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { parse as parseToml } from 'smol-toml';
import { isRuleId, RULE_IDS, type RuleId, type SeveritySetting, type StartMethodSetting } from '../engine/findings';
import { PROJECT_CONFIG_FILE_NAMES, SEVERITY_SETTINGS, START_METHOD_SETTINGS } from './protocol';
import { normalizePythonVersion } from './pythonVersion';

export { PROJECT_CONFIG_FILE_NAMES, PROJECT_CONFIG_GLOB } from './protocol';

/** The keys a project configuration may set (`$schema` is tolerated in crossproc.json). */
const KNOWN_KEYS = ['rules', 'startMethod', 'pythonVersion', 'ignore', 'reportUnusedDisableDirectives'] as const;

/** What one project file sets. Keys it does not set are `undefined` / empty. */
export interface ProjectConfig {
  /** absolute path of the file this came from; undefined when no file was found */
  readonly file: string | undefined;
  /** the folder `ignore` patterns are relative to (the file's folder) */
  readonly dir: string | undefined;
  readonly rules: Partial<Record<RuleId, SeveritySetting>>;
  readonly startMethod: StartMethodSetting | undefined;
  /** the Python version the project targets, `major.minor` (overrides requires-python / .python-version) */
  readonly pythonVersion?: string | undefined;
  /** gitignore-style patterns, relative to {@link dir} */
  readonly ignore: readonly string[];
  /** CLI: report suppression comments that suppress nothing, at this severity (undefined = off) */
  readonly reportUnusedDisableDirectives?: SeveritySetting;
}

export interface ConfigProblem {
  /** absolute path of the file */
  file: string;
  /**
   * `malformed`: the file cannot be read as a configuration (syntax error, section of the
   * wrong type); none of it applies. The CLI exits 2 on it.
   * `invalid-value`: one key, rule or pattern is wrong and falls back to its default.
   */
  kind: 'malformed' | 'invalid-value';
  /**
   * One sentence, no file name. For `invalid-value` it ends with what happens instead
   * ("; ignoring it."); for `malformed` it only says what is wrong and the caller adds
   * the consequence (the CLI stops, the server uses the defaults).
   */
  message: string;
}

export interface LoadedProjectConfig {
  config: ProjectConfig;
  problems: ConfigProblem[];
}

/** A configuration that sets nothing (no file found, or a malformed one). */
export function emptyProjectConfig(file?: string): ProjectConfig {
  return { file, dir: file === undefined ? undefined : path.dirname(file), rules: {}, startMethod: undefined, ignore: [] };
}

/** 1-based line and column of `offset` in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** `PropertyNameExpected` → `property name expected`. */
function describeJsonError(error: ParseError): string {
  return printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/**
 * Deeper nesting than this is refused before parsing: the JSON parser recurses (a few
 * thousand levels overflow the stack), and no configuration comes anywhere near it.
 */
export const MAX_CONFIG_DEPTH = 100;

// jsonc-parser's SyntaxKind is a const enum in its typings, which esbuild cannot inline.
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const COLON = 6;
const STRING = 10;
const EOF = 17;

/** The offset of the first bracket nested deeper than `limit`, or undefined. Iterative: safe on any input. */
function tooDeepAt(text: string, limit: number): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (token === OPEN_BRACE || token === OPEN_BRACKET) {
      if (++depth > limit) return scanner.getTokenOffset();
    } else if (token === CLOSE_BRACE || token === CLOSE_BRACKET) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/**
 * The offset of the top-level object's `key` value (the last one, as the parser keeps),
 * found by scanning tokens without recursion; undefined when there is none.
 */
function topLevelValueStart(text: string, key: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  let found: number | undefined;
  let afterKey = false;
  let previousIsKey = false;
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (afterKey) found = scanner.getTokenOffset();
    afterKey = token === COLON && depth === 1 && previousIsKey;
    previousIsKey = token === STRING && depth === 1 && scanner.getTokenValue() === key;
    if (token === OPEN_BRACE || token === OPEN_BRACKET) depth++;
    else if (token === CLOSE_BRACE || token === CLOSE_BRACKET) depth--;
  }
  return found;
}

/** `text` from `start` up to the end of the one JSON value there (iterative). */
function valueAt(text: string, start: number): string {
  const scanner = createScanner(text, true);
  scanner.setPosition(start);
  let depth = 0;
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (token === OPEN_BRACE || token === OPEN_BRACKET) depth++;
    else if (token === CLOSE_BRACE || token === CLOSE_BRACKET) depth--;
    if (depth <= 0) return text.slice(start, scanner.getTokenOffset() + scanner.getTokenLength());
  }
  return text.slice(start);
}

/**
 * Parses JSON with comments and trailing commas (all of `whole`, or the one value at
 * `start`); a syntax error or nesting deeper than {@link MAX_CONFIG_DEPTH} becomes a
 * one-sentence message with its position in `whole`.
 */
function readJson(whole: string, start?: number): { value: unknown } | { error: string } {
  const text = start === undefined ? whole : valueAt(whole, start);
  const base = start ?? 0;
  const deep = tooDeepAt(text, MAX_CONFIG_DEPTH);
  if (deep !== undefined) {
    const at = lineColumn(whole, base + deep);
    return { error: `JSON nested more than ${MAX_CONFIG_DEPTH} levels deep at line ${at.line}, column ${at.column}` };
  }
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const at = lineColumn(whole, base + first.offset);
    return { error: `invalid JSON at line ${at.line}, column ${at.column}: ${describeJsonError(first)}` };
  }
  return { value };
}

function readToml(text: string): { value: unknown } | { error: string } {
  try {
    return { value: parseToml(text) };
  } catch (error) {
    const e = error as { message?: string; line?: number; column?: number };
    // smol-toml's message is "Invalid TOML document: <what>\n\n<code block>": keep <what>.
    const what = (e.message ?? String(error)).split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
    const where = e.line !== undefined && e.column !== undefined ? ` at line ${e.line}, column ${e.column}` : '';
    return { error: `invalid TOML${where}: ${what}` };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a configuration section (the object under `"crossproc"` / `[tool.crossproc]`,
 * or the whole of crossproc.json). Each problem is reported as one sentence; the offending
 * key, rule or pattern is dropped.
 */
export function validateProjectSection(
  section: Record<string, unknown>,
  file: string,
  report: (problem: string) => void,
): ProjectConfig {
  const rules: Partial<Record<RuleId, SeveritySetting>> = {};
  let startMethod: StartMethodSetting | undefined;
  let pythonVersion: string | undefined;
  const patterns: string[] = [];
  for (const key of Object.keys(section)) {
    if (key === '$schema' || (KNOWN_KEYS as readonly string[]).includes(key)) continue;
    report(`unknown key "${key}" (known keys: ${KNOWN_KEYS.join(', ')}); ignoring it.`);
  }
  const rawRules = section['rules'];
  if (rawRules !== undefined) {
    if (!isObject(rawRules)) {
      report(`"rules" must map rule ids to "off", "warning" or "error"; ignoring it.`);
    } else {
      for (const [id, level] of Object.entries(rawRules)) {
        if (!isRuleId(id)) {
          report(`"rules" names an unknown rule "${id}" (known: ${RULE_IDS.join(', ')}); ignoring it.`);
        } else if (!(SEVERITY_SETTINGS as readonly unknown[]).includes(level)) {
          report(`"rules.${id}" must be "off", "warning" or "error", not ${JSON.stringify(level)}; using the rule's default.`);
        } else {
          rules[id] = level as SeveritySetting;
        }
      }
    }
  }
  const rawStart = section['startMethod'];
  if (rawStart !== undefined) {
    if ((START_METHOD_SETTINGS as readonly unknown[]).includes(rawStart)) startMethod = rawStart as StartMethodSetting;
    else report(`"startMethod" must be one of ${START_METHOD_SETTINGS.join(', ')}, not ${JSON.stringify(rawStart)}; using the default.`);
  }
  const rawVersion = section['pythonVersion'];
  if (rawVersion !== undefined) {
    // a TOML/JSON number cannot say 3.10 (it reads 3.1): only strings
    const version = typeof rawVersion === 'string' ? normalizePythonVersion(rawVersion) : undefined;
    if (version !== undefined) pythonVersion = version;
    else report(`"pythonVersion" must be a version string such as "3.12", not ${JSON.stringify(rawVersion)}; ignoring it.`);
  }
  const rawIgnore = section['ignore'];
  if (rawIgnore !== undefined) {
    const list = typeof rawIgnore === 'string' ? [rawIgnore] : rawIgnore;
    if (!Array.isArray(list)) {
      report(`"ignore" must be a list of gitignore-style patterns; ignoring it.`);
    } else {
      for (const pattern of list as unknown[]) {
        if (typeof pattern !== 'string' || pattern.trim() === '') {
          report(`"ignore" entries must be non-empty strings, not ${JSON.stringify(pattern)}; skipping that entry.`);
          continue;
        }
        try {
          ignore().add(pattern);
          patterns.push(pattern);
        } catch {
          report(`"ignore" pattern ${JSON.stringify(pattern)} is not a valid gitignore pattern; skipping it.`);
        }
      }
    }
  }
  let reportUnusedDisableDirectives: SeveritySetting | undefined;
  const rawUnused = section['reportUnusedDisableDirectives'];
  if (rawUnused !== undefined) {
    if ((SEVERITY_SETTINGS as readonly unknown[]).includes(rawUnused)) reportUnusedDisableDirectives = rawUnused as SeveritySetting;
    else report(`"reportUnusedDisableDirectives" must be "off", "warning" or "error", not ${JSON.stringify(rawUnused)}; using off.`);
  }
  return { file, dir: path.dirname(file), rules, startMethod, pythonVersion, ignore: patterns, ...(reportUnusedDisableDirectives ? { reportUnusedDisableDirectives } : {}) };
}

/**
 * Reads one candidate file's text. Returns undefined when the file holds no Crossproc
 * configuration (a package.json without `"crossproc"`, a pyproject.toml without
 * `[tool.crossproc]`) so the lookup goes on.
 *
 * A package.json or pyproject.toml that does not even parse is only reported when its text
 * mentions `crossproc`: otherwise it cannot be ours, and its owner's tools will complain.
 */
export function parseProjectConfig(file: string, text: string): LoadedProjectConfig | undefined {
  const name = path.basename(file);
  const problems: ConfigProblem[] = [];
  const malformed = (message: string): LoadedProjectConfig => ({
    config: emptyProjectConfig(file),
    problems: [{ file, kind: 'malformed', message }],
  });
  // a section names `crossproc`, literally or through an escape (`"cross\u0070roc"`): a
  // package.json or pyproject.toml with neither holds none, valid or not (their malformed
  // answers too need the name), and needs no parse (the packages of node_modules)
  if ((name === 'package.json' || name === 'pyproject.toml') && !text.includes('crossproc') && !text.includes('\\')) return undefined;
  let section: unknown;
  if (name === 'pyproject.toml') {
    const parsed = readToml(text);
    if ('error' in parsed) return /crossproc/.test(text) ? malformed(parsed.error) : undefined;
    const tool = (parsed.value as Record<string, unknown>)['tool'];
    if (!isObject(tool) || tool['crossproc'] === undefined) return undefined;
    section = tool['crossproc'];
    if (!isObject(section)) return malformed('[tool.crossproc] must be a table');
  } else if (name === 'package.json') {
    // a part nested too deep to parse (not ours) must not hide our section: read only that
    const whole = tooDeepAt(text, MAX_CONFIG_DEPTH) === undefined;
    const start = whole ? 0 : topLevelValueStart(text, 'crossproc');
    if (start === undefined) return undefined;
    const parsed = readJson(text, start);
    if ('error' in parsed) return /"crossproc"\s*:/.test(text) ? malformed(parsed.error) : undefined;
    section = whole ? (isObject(parsed.value) ? parsed.value['crossproc'] : undefined) : parsed.value;
    if (section === undefined) return undefined;
    if (!isObject(section)) return malformed('the "crossproc" key must hold an object');
  } else {
    const parsed = readJson(text);
    if ('error' in parsed) return malformed(parsed.error);
    section = parsed.value;
    if (!isObject(section)) return malformed('the file must hold one JSON object');
  }
  const config = validateProjectSection(section, file, (message) => problems.push({ file, kind: 'invalid-value', message }));
  return { config, problems };
}

function unreadableMessage(code: string | undefined, error: unknown): string {
  const why =
    code === 'EISDIR' ? 'it is a folder' :
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
    error instanceof Error ? error.message : String(error);
  return `the file cannot be read (${why})`;
}

/**
 * Finds and reads the nearest project configuration for `start` (a folder, or a file whose
 * folder is used). Never throws: a missing candidate is skipped, and one that exists but
 * cannot be read is a `malformed` problem (its rules would otherwise be silently dropped).
 * `cache` (keyed by folder) lets one run share the walk between many starting points.
 */
export async function loadProjectConfig(
  start: string,
  cache: Map<string, Promise<LoadedProjectConfig>> = new Map(),
): Promise<LoadedProjectConfig> {
  let dir = path.resolve(start);
  // the cache is keyed by folder: a start found there is a folder, and needs no stat (the
  // language server asks for every closed file with findings at each analysis)
  const known = cache.get(dir);
  if (known) return known;
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(dir, { throwIfNoEntry: false });
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isDirectory()) dir = path.dirname(dir);
  return lookup(dir, cache);
}

function lookup(dir: string, cache: Map<string, Promise<LoadedProjectConfig>>): Promise<LoadedProjectConfig> {
  let pending = cache.get(dir);
  if (!pending) {
    pending = (async () => {
      for (const name of PROJECT_CONFIG_FILE_NAMES) {
        const file = path.join(dir, name);
        // most folders hold none of the files: a stat that answers undefined costs a few
        // microseconds on the thread, a failed read a round trip through libuv's pool and an
        // Error (the CLI's 7,749 node_modules files: 1,917 folders, 0.8 → 0.3 s of CPU
        // with the synchronous read below). Any other answer, an error included, goes on to
        // the read. Read on the thread too: these files are small, and the CLI waits for them.
        if (absent(file)) continue;
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'ENOTDIR') continue;
          // a folder named package.json/pyproject.toml cannot hold our section; anything else
          // that exists but cannot be read might: running with the wrong rules is worse than stopping
          if (code === 'EISDIR' && name !== 'crossproc.json') continue;
          return { config: emptyProjectConfig(file), problems: [{ file, kind: 'malformed', message: unreadableMessage(code, error) }] };
        }
        const found = parseProjectConfig(file, text);
        if (found) return found;
      }
      const parent = path.dirname(dir);
      if (parent === dir) return { config: emptyProjectConfig(), problems: [] };
      return lookup(parent, cache);
    })();
    cache.set(dir, pending);
  }
  return pending;
}

/** whether `file` certainly does not exist (ENOENT; any other stat error: not certain) */
function absent(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false }) === undefined;
  } catch {
    return false;
  }
}

/** A compiled `ignore` list: answers "is this absolute path ignored?". */
export class IgnoreMatcher {
  private readonly rules: Ignore | undefined;

  constructor(private readonly config: ProjectConfig) {
    this.rules = config.ignore.length > 0 && config.dir !== undefined ? ignore().add([...config.ignore]) : undefined;
  }

  /** Whether `target` (absolute) is matched by the configuration's `ignore` patterns. */
  ignores(target: string, isDirectory = false): boolean {
    if (!this.rules || this.config.dir === undefined) return false;
    const rel = path.relative(this.config.dir, target);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false;
    const slashed = rel.split(path.sep).join('/');
    // A file is ignored when it or one of its parent folders is (as in git).
    if (this.rules.ignores(isDirectory ? `${slashed}/` : slashed)) return true;
    const parts = slashed.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (this.rules.ignores(`${parts.slice(0, i).join('/')}/`)) return true;
    }
    return false;
  }
}

/** `file: message` with the file relative to `base` when it is inside it. */
export function formatConfigProblem(problem: ConfigProblem, base?: string): string {
  let shown = problem.file;
  if (base !== undefined) {
    const rel = path.relative(base, problem.file);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) shown = rel.split(path.sep).join('/');
  }
  return `${shown}: ${problem.message}`;
}
