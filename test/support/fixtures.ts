/**
 * Shared, language-neutral helpers for the runnable fixtures under `fixtures/<lang>/<case>/`
 * (format: fixtures/README.md). Used by the JS and Python fixture runners and by the
 * engine's expectation tests.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Absolute path of the repository's `fixtures/` folder. */
export const FIXTURES_ROOT = path.resolve(__dirname, '..', '..', 'fixtures');

export type FixtureLang = 'js' | 'python';

/** One run entry of `fixture.json` (`runs.node`, `runs.spawn`, ...). All keys optional. */
export interface FixtureRun {
  /** trimmed stdout equals this exactly */
  stdout?: string;
  /** substrings that must all appear in stdout */
  stdoutIncludes?: string[];
  /** substrings that must all appear in stderr */
  stderrIncludes?: string[];
  /** exit code (default: 0 unless `stderrIncludes` is given) */
  exitCode?: number;
  /** runaway program: kill it once `pattern` has appeared `count` times in stdout */
  stopAfter?: { pattern: string; count: number };
}

export interface FixtureManifest {
  description: string;
  entry: string;
  kind: 'positive' | 'negative';
  rules: string[];
  system: string;
  runs: Record<string, FixtureRun>;
  timeoutMs?: number;
  /** a fixture whose runtime cannot run here (Electron, pm2): why; its README.md cites the documented behaviour it is checked against */
  static?: string;
}

export interface FixtureInfo {
  /** folder name, e.g. `stale-read-worker-file` */
  name: string;
  /** absolute path of the fixture folder */
  dir: string;
  /** absolute path of its `fixture.json` */
  manifestPath: string;
}

export interface Expectation {
  /** 1-based line of the comment (= the line where the finding's range starts) */
  line: number;
  rule: string;
}

/** Every `fixtures/<lang>/<case>/` that has a `fixture.json`, sorted by name. */
export function listFixtures(lang: FixtureLang): FixtureInfo[] {
  const root = path.join(FIXTURES_ROOT, lang);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'fixture.json')))
    .sort()
    .map((name) => ({
      name,
      dir: path.join(root, name),
      manifestPath: path.join(root, name, 'fixture.json'),
    }));
}

/**
 * Parse a fixture's `fixture.json`. Accepts the fixture folder, the manifest path or a
 * FixtureInfo. Throws (with the file name) on invalid JSON; shape is not checked here.
 */
export function readManifest(fixture: string | FixtureInfo): FixtureManifest {
  let file = typeof fixture === 'string' ? fixture : fixture.manifestPath;
  if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'fixture.json');
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as FixtureManifest;
  } catch (err) {
    throw new Error(`${file}: invalid JSON: ${(err as Error).message}`);
  }
}

// `// expect: rule-a, rule-b` or `# expect: rule-a` anywhere on a line (normally at its end).
const EXPECT_RE = /(?:\/\/|#)\s*expect:\s*([a-z0-9]+(?:-[a-z0-9]+)*(?:\s*,\s*[a-z0-9]+(?:-[a-z0-9]+)*)*)/;

/** The inline `expect:` comments of one source file, in line order. */
export function parseExpectations(filePath: string): Array<{ line: number; rule: string }> {
  const out: Expectation[] = [];
  const lines = readFileSync(filePath, 'utf8').split(/\r\n|\r|\n/);
  lines.forEach((text, i) => {
    const m = EXPECT_RE.exec(text);
    if (!m) return;
    for (const rule of m[1].split(',')) out.push({ line: i + 1, rule: rule.trim() });
  });
  return out;
}

const SOURCE_EXT = /\.(?:js|mjs|cjs|jsx|ts|mts|cts|tsx|py|pyi)$/;

/** Source files of a fixture folder (recursive, skipping node_modules/__pycache__), sorted. */
export function listSourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules' || name === '__pycache__' || name.startsWith('.')) continue;
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (SOURCE_EXT.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
