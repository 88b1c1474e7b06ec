/**
 * The rule docs (`rules/<id>.md`) are checked like typescript-eslint's docs.test: every
 * ❌ example must produce a finding of the doc's rule, every ✅ example must produce no
 * finding at all, and every doc has the sections and examples users rely on.
 *
 * Example blocks are fenced code blocks whose info string is
 * `<lang> <bad|good> [group=<name>] [<file name>]` with lang `python`, `js` or `ts`.
 * A block without `group=` is a one-file example; blocks of one doc sharing lang, kind and
 * group form one multi-file example. Other code blocks (e.g. suppression snippets) are prose.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULE_IDS, isRuleId, type Finding, type RuleId } from '../server/src/engine/findings';
import { RULES as RULE_INFO } from '../server/src/shared/ruleInfo';

const RULES_DIR = path.resolve(__dirname, '..', 'rules');

const REQUIRED_SECTIONS = [
  'What it does',
  'Why is this bad?',
  'Example',
  'Use instead',
  'Fix safety',
  'When not to use it',
  'Suppressing',
  'References',
] as const;

type ExampleLang = 'python' | 'js' | 'ts';
type ExampleKind = 'bad' | 'good';

interface ExampleFile {
  name: string;
  text: string;
  /** 1-based line of the opening fence in the doc, for failure messages */
  docLine: number;
}

interface Example {
  lang: ExampleLang;
  kind: ExampleKind;
  /** 'group=a' or '#<n>' for a one-block example */
  key: string;
  files: ExampleFile[];
}

interface RuleDoc {
  id: string;
  file: string;
  text: string;
  title?: string;
  summary: string;
  sections: string[];
  examples: Example[];
}

const EXAMPLE_LANGS = new Set<string>(['python', 'js', 'ts']);
const EXAMPLE_KINDS = new Set<string>(['bad', 'good']);

function defaultFileName(lang: ExampleLang): string {
  return lang === 'python' ? 'example.py' : lang === 'ts' ? 'example.ts' : 'example.js';
}

/** Parses one rule doc: title, summary line, `##` sections and example groups. */
function parseDoc(file: string): RuleDoc {
  const text = fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  const sections: string[] = [];
  const groups = new Map<string, Example>();
  let title: string | undefined;
  let summary = '';
  let single = 0;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^(`{3,}|~{3,})\s*(.*)$/.exec(line);
    if (fence) {
      const marker = fence[1];
      const info = fence[2].trim();
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !lines[j].startsWith(marker)) body.push(lines[j++]);
      assert.ok(j < lines.length, `${path.basename(file)}:${i + 1}: unclosed code block`);
      const tokens = info.split(/\s+/).filter(Boolean);
      if (tokens.length >= 2 && EXAMPLE_LANGS.has(tokens[0]) && EXAMPLE_KINDS.has(tokens[1])) {
        const lang = tokens[0] as ExampleLang;
        const kind = tokens[1] as ExampleKind;
        const rest = tokens.slice(2);
        const group = rest.find((t) => t.startsWith('group='));
        const names = rest.filter((t) => !t.startsWith('group='));
        assert.ok(names.length <= 1, `${path.basename(file)}:${i + 1}: unexpected info string "${info}"`);
        const key = group ?? `#${single++}`;
        const groupKey = `${lang} ${kind} ${key}`;
        let ex = groups.get(groupKey);
        if (!ex) {
          ex = { lang, kind, key, files: [] };
          groups.set(groupKey, ex);
        }
        const name = names[0] ?? defaultFileName(lang);
        assert.ok(
          !ex.files.some((f) => f.name === name),
          `${path.basename(file)}:${i + 1}: file "${name}" appears twice in example ${groupKey}`,
        );
        ex.files.push({ name, text: body.join('\n') + '\n', docLine: i + 1 });
      }
      i = j;
      continue;
    }
    const h1 = /^#\s+(.+?)\s*$/.exec(line);
    if (h1 && title === undefined) {
      title = h1[1];
      continue;
    }
    const h2 = /^##\s+(.+?)\s*$/.exec(line);
    if (h2) {
      sections.push(h2[1]);
      continue;
    }
    if (title !== undefined && !summary && sections.length === 0 && line.trim()) summary = line.trim();
  }

  return {
    id: path.basename(file, '.md'),
    file,
    text,
    title,
    summary,
    sections,
    examples: [...groups.values()],
  };
}

/** The languages a doc says its rule applies to, from the summary's "Languages: ..." part. */
function docLanguages(doc: RuleDoc): Array<'python' | 'js'> {
  const m = /Languages:\s*([^.*\n]+)/i.exec(doc.summary);
  if (!m) return [];
  const out: Array<'python' | 'js'> = [];
  if (/python/i.test(m[1])) out.push('python');
  if (/javascript|typescript|node/i.test(m[1])) out.push('js');
  return out;
}

function exampleLabel(doc: RuleDoc, ex: Example): string {
  const where = ex.files.map((f) => `${path.basename(doc.file)}:${f.docLine}`).join(', ');
  return `${ex.lang} ${ex.kind} example ${ex.key} (${where})`;
}

function describeFindings(findings: Finding[]): string {
  if (findings.length === 0) return '(none)';
  return findings
    .map((f) => `  ${path.basename(f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.rule} — ${f.message}`)
    .join('\n');
}

const docFiles = fs.existsSync(RULES_DIR)
  ? fs
      .readdirSync(RULES_DIR)
      .filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md')
      .sort()
      .map((f) => path.join(RULES_DIR, f))
  : [];
const docs = docFiles.map(parseDoc);
const defaultSeverity = new Map(RULE_INFO.map((r) => [r.id, r.defaultSeverity]));

describe('rule docs', () => {
  it('every rule id has a doc, and every doc is named after a rule id', () => {
    const documented = new Set(docs.map((d) => d.id));
    for (const id of RULE_IDS) assert.ok(documented.has(id), `rules/${id}.md is missing`);
    for (const d of docs) assert.ok(isRuleId(d.id), `rules/${d.id}.md is not named after a rule id (${RULE_IDS.join(', ')})`);
  });

  for (const doc of docs) {
    describe(`rules/${doc.id}.md`, () => {
      it('has the title, the summary line with severity and languages, and all sections in order', () => {
        assert.equal(doc.title, doc.id, 'the first heading must be "# <rule id>"');
        assert.ok(doc.summary, 'a one-line summary must follow the title');
        const sev = /Default severity:\s*(error|warning)/i.exec(doc.summary);
        assert.ok(sev, 'the summary must say "Default severity: error|warning"');
        if (isRuleId(doc.id)) {
          assert.equal(sev[1].toLowerCase(), defaultSeverity.get(doc.id), 'the summary severity must match the rule default');
        }
        assert.ok(docLanguages(doc).length > 0, 'the summary must say "Languages: ..."');
        let last = -1;
        for (const s of REQUIRED_SECTIONS) {
          const at = doc.sections.indexOf(s);
          assert.ok(at >= 0, `missing section "## ${s}"`);
          assert.ok(at > last, `section "## ${s}" is out of order`);
          last = at;
        }
      });

      it('has at least one bad and one good example per language it applies to', () => {
        const langs = docLanguages(doc);
        const has = (lang: 'python' | 'js', kind: ExampleKind) =>
          doc.examples.some((e) => e.kind === kind && (lang === 'python' ? e.lang === 'python' : e.lang !== 'python'));
        for (const lang of langs) {
          assert.ok(has(lang, 'bad'), `no "${lang} bad" example`);
          assert.ok(has(lang, 'good'), `no "${lang} good" example`);
        }
        for (const ex of doc.examples) {
          const lang = ex.lang === 'python' ? 'python' : 'js';
          assert.ok(langs.includes(lang), `${exampleLabel(doc, ex)}: the summary does not list this language`);
        }
        // Suppressing must show the comment form of every language the rule applies to.
        if (langs.includes('python')) assert.ok(doc.text.includes(`# crossproc: disable=${doc.id}`), 'Suppressing: no Python comment');
        if (langs.includes('js')) assert.ok(doc.text.includes(`// crossproc-disable-next-line ${doc.id}`), 'Suppressing: no JS comment');
      });

      it('examples are short self-contained programs (≤ 25 lines per file)', () => {
        for (const ex of doc.examples) {
          for (const f of ex.files) {
            const n = f.text.trimEnd().split('\n').length;
            assert.ok(n <= 25, `${exampleLabel(doc, ex)}: ${f.name} has ${n} lines`);
          }
        }
      });
    });
  }
});

/** A notebook (nbformat 4 JSON) from the percent format: each `# %%` line starts a code cell. */
function percentToNotebook(text: string): string {
  const cells = text
    .split(/^# %%.*\n/m)
    .filter((c) => c.trim() !== '')
    .map((c) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: c.replace(/\n+$/, '') }));
  return JSON.stringify({ cells, metadata: { language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 }, null, 1);
}

describe('rule doc examples are analysed as documented', function () {
  let ProjectClass: typeof import('../server/src/engine/project').Project;
  let tmpRoot: string;

  before(async function () {
    // Imported here, not at the top, so a broken engine fails these tests and not the doc checks above.
    ({ Project: ProjectClass } = await import('../server/src/engine/project'));
    tmpRoot = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-docs-')));
  });

  after(() => {
    if (tmpRoot) fs.rmSync(tmpRoot, { recursive: true, force: true });
  });

  /** Writes the example's files to a fresh folder and returns the findings in those files. */
  async function analyzeExample(rule: string, ex: Example): Promise<Finding[]> {
    const dir = fs.mkdtempSync(path.join(tmpRoot, `${rule}-${ex.lang}-${ex.kind}-`));
    const project = await ProjectClass.create();
    const paths: string[] = [];
    for (const f of ex.files) {
      const abs = path.join(dir, f.name);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      // a notebook example is written in the percent format (`# %%` starts a cell): stored as a real .ipynb
      const text = f.name.endsWith('.ipynb') ? percentToNotebook(f.text) : f.text;
      fs.writeFileSync(abs, text);
      project.updateFile(abs, text);
      paths.push(abs);
    }
    const findings = project.analyze();
    return findings.filter((f) => paths.includes(f.file));
  }

  for (const doc of docs) {
    describe(`rules/${doc.id}.md`, () => {
      for (const ex of doc.examples) {
        const label = exampleLabel(doc, ex);
        if (ex.kind === 'bad') {
          it(`❌ ${label} is reported`, async () => {
            const findings = await analyzeExample(doc.id, ex);
            const own = findings.filter((f) => f.rule === doc.id);
            assert.ok(own.length >= 1, `expected at least one ${doc.id} finding, got:\n${describeFindings(findings)}`);
            const sev = isRuleId(doc.id) ? defaultSeverity.get(doc.id as RuleId) : undefined;
            for (const f of own) assert.equal(f.severity, sev, `${doc.id} finding at the wrong default severity`);
          });
        } else {
          it(`✅ ${label} is clean`, async () => {
            const findings = await analyzeExample(doc.id, ex);
            const own = findings.filter((f) => f.rule === doc.id);
            assert.equal(own.length, 0, `expected no ${doc.id} finding, got:\n${describeFindings(own)}`);
            assert.equal(findings.length, 0, `expected no findings at all, got:\n${describeFindings(findings)}`);
          });
        }
      }
    });
  }
});
