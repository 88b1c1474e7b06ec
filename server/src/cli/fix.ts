/**
 * `crossproc --fix`: applies each finding's preferred fix (the first real fix it offers,
 * never the suppression comment), through the same code the editor's code actions use.
 *
 * Writing is guarded because a linter run in CI must never touch what it was not asked to:
 * only regular files (never a symlink, never through one) whose real path is inside a
 * path given on the command line are written, each atomically (temp file + rename, mode
 * kept), and a file that changed on disk since it was read is left alone.
 */
import { randomHex } from './digest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { normalizeLoneCarriageReturns, type Project } from '../engine/project';
import { applyFix, computeFix, SUPPRESSION_FIX_KINDS } from '../fixes';
import { readSourceFile } from '../shared/files';
import { isNotebookPath } from '../notebook/cells';
import { applySourceToNotebook, notebookJsonToSource } from '../notebook/ipynb';

/** A file a fix would have changed but that was not written, and why. */
export interface RefusedWrite {
  file: string;
  reason: string;
}

export interface FixSummary {
  applied: number;
  /** the files written (with `write: false`, the files that would be) */
  files: string[];
  /** each file in `files`: its text before and after the fixes (with `write: false`, as on disk, for --diff) */
  changes: Array<{ file: string; before: string; after: string; created?: boolean }>;
  /** files left untouched (outside the targets, a symlink, changed on disk since read) */
  refused: RefusedWrite[];
}

/** Whether `target` is `root` or inside it (both real paths). */
function within(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Why `file` must not be written, or undefined when it may: it must be a regular file (not
 * a symlink) whose real path is inside one of `roots` (real paths of the command-line targets).
 */
export async function whyNotWritable(file: string, roots: readonly string[]): Promise<string | undefined> {
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch {
    return 'it cannot be read';
  }
  if (stat.isSymbolicLink()) return 'it is a symbolic link';
  if (!stat.isFile()) return 'it is not a regular file';
  const real = await fs.realpath(file).catch(() => undefined);
  if (!real || !roots.some((root) => within(root, real))) return 'it is outside the paths given on the command line';
  return undefined;
}

/**
 * Why a fix may not create `file`, or undefined when it may: it must not exist yet, and its
 * folder's real path must be inside a command-line folder, or be the folder of a file named
 * on the command line (a module written beside the notebook it was moved out of).
 */
export async function whyNotCreatable(file: string, roots: readonly string[]): Promise<string | undefined> {
  if (await fs.lstat(file).then(() => true, () => false)) return 'it already exists';
  const folder = await fs.realpath(path.dirname(file)).catch(() => undefined);
  if (!folder) return 'its folder cannot be read';
  for (const root of roots) {
    const isFile = await fs.stat(root).then((st) => st.isFile(), () => false);
    if (isFile ? path.dirname(root) === folder : within(root, folder)) return undefined;
  }
  return 'it is outside the paths given on the command line';
}

/** Creates `file` with `text` (never over an existing file); returns why not on failure. */
async function createNewFile(file: string, text: string, roots: readonly string[]): Promise<string | undefined> {
  const why = await whyNotCreatable(file, roots);
  if (why) return why;
  try {
    await fs.writeFile(file, text, { flag: 'wx' });
    return undefined;
  } catch (error) {
    return `it could not be created (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** The real paths of the command-line targets (a target that cannot be resolved is left out). */
export async function realTargets(targets: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const t of targets) {
    const real = await fs.realpath(t).catch(() => undefined);
    if (real) out.push(real);
  }
  return out;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The fixed text as it goes to disk, given the file's current text: a file whose lines end
 * in lone CRs (and never a lone LF) keeps them, in the fixed lines too.
 */
function withLineEnds(current: string, text: string): string {
  const crOnly = /\r(?!\n)/.test(current) && !/(?<!\r)\n/.test(current);
  return crOnly ? text.replace(/(?<!\r)\n/g, '\r') : text;
}

/** For --diff: the file's bytes on disk now and what --fix would write, both as UTF-8 text (BOM kept). */
async function diskForms(file: string, text: string): Promise<{ before: string; after: string }> {
  const before = (await fs.readFile(file)).toString('utf8');
  if (isNotebookPath(file)) {
    const after = applySourceToNotebook(before, text);
    if (after === undefined) throw new Error('the fix does not map onto the notebook cells');
    return { before, after };
  }
  const bom = before.startsWith('\uFEFF') ? '\uFEFF' : '';
  return { before, after: bom + withLineEnds(before, text) };
}

/**
 * Writes `text` over `file` if the file still holds `expected` and may be written; returns
 * why not otherwise. The new content goes to a temp file in the same folder (same mode)
 * that is renamed over the original, so a reader never sees half a file; a BOM is kept.
 */
export async function writeFixedFile(file: string, expected: string, text: string, roots: readonly string[]): Promise<string | undefined> {
  const why = await whyNotWritable(file, roots);
  if (why) return why;
  const real = await fs.realpath(file);
  let now;
  try {
    now = await readSourceFile(real);
  } catch {
    return 'it cannot be read any more';
  }
  // the project holds the text with lone CRs as LFs (engine/project.ts); a notebook's, its cells' Python
  const held = (t: string) => (isNotebookPath(file) ? notebookJsonToSource(t) : normalizeLoneCarriageReturns(t));
  if (now.kind !== 'text' || held(now.text) !== expected) return 'it changed on disk since it was read';
  if (isNotebookPath(file)) {
    const json = applySourceToNotebook(now.text, text);
    if (json === undefined) return 'the fix does not map onto its cells';
    now = { ...now, text: '' };
    text = json;
  }
  const { mode } = await fs.stat(real);
  const head = await fs.readFile(real).then((b) => b.subarray(0, 3));
  const out = isNotebookPath(file) ? text : withLineEnds(now.text, text);
  const bytes = Buffer.concat([head.equals(UTF8_BOM) ? UTF8_BOM : Buffer.alloc(0), Buffer.from(out, 'utf8')]);
  const tmp = path.join(path.dirname(real), `.${path.basename(real)}.crossproc-${process.pid}-${randomHex(4)}.tmp`);
  try {
    const handle = await fs.open(tmp, 'wx', mode & 0o7777);
    try {
      await handle.writeFile(bytes);
      await handle.chmod(mode & 0o7777); // open's mode is masked by the umask
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, real);
  } catch (error) {
    await fs.unlink(tmp).catch(() => undefined);
    return `it could not be written (${error instanceof Error ? error.message : String(error)})`;
  }
  return undefined;
}

export interface FixOptions {
  /** false: --diff (nothing written, the project left as the disk is) */
  write?: boolean;
  /** standard input: only this file (not on disk) may change; nothing is written, the project keeps the fixed text */
  only?: string;
  /** edits made after the findings' fixes (removing unused suppression comments): file → new text, and how many fixes that is */
  finalEdits?: (project: Project) => Array<{ file: string; text: string; count: number }>;
}

/**
 * Applies fixes one at a time, re-analysing after each (edits shift positions), then writes
 * the files. `targets` are the command-line paths: a fix touching a file that may not be
 * written (see {@link whyNotWritable}) is not applied at all. With `write: false`
 * (--fix-dry-run / --diff) nothing is written and the project is left as the disk is.
 */
export async function applyPreferredFixes(project: Project, targets: readonly string[], { write = true, only, finalEdits }: FixOptions = {}): Promise<FixSummary> {
  const roots = only === undefined ? await realTargets(targets) : [];
  const writable = new Map<string, string | undefined>();
  const refusal = async (file: string) => {
    if (only !== undefined) return file === only ? undefined : 'only the text read from standard input is fixed';
    if (!writable.has(file)) writable.set(file, await whyNotWritable(file, roots));
    return writable.get(file);
  };
  const original = new Map<string, string>();
  const written = new Map<string, string>();
  const refused = new Map<string, string>();
  const tried = new Set<string>();
  /** files a fix creates (they did not exist when the run started) */
  const created = new Set<string>();
  /** the files each applied fix changed */
  const appliedFixes: string[][] = [];
  // each round fixes one finding; a fix that leaves its finding behind is not tried twice
  for (let round = 0; round < 500; round++) {
    let kind: string | undefined;
    const target = project.analyze().find((f) => {
      const fx = f.fixes.find((x) => !SUPPRESSION_FIX_KINDS.includes(x.kind));
      if (!fx || tried.has(`${f.file}|${f.rule}|${f.symbol}|${fx.kind}`)) return false;
      kind = fx.kind;
      return true;
    });
    if (!target || !kind) break;
    tried.add(`${target.file}|${target.rule}|${target.symbol}|${kind}`);
    const fix = computeFix({ graph: project.graph(), text: (f) => project.text(f) }, target, kind);
    if (!fix) continue;
    let texts: Map<string, string>;
    try {
      texts = applyFix(fix, (f) => project.text(f));
    } catch {
      continue;
    }
    let blocked = false;
    for (const fe of fix.changes) if (fe.create && project.text(fe.file) === undefined) created.add(fe.file);
    for (const file of texts.keys()) {
      const why = created.has(file) && only === undefined ? await whyNotCreatable(file, roots) : await refusal(file);
      if (why) {
        refused.set(file, why);
        blocked = true;
      }
    }
    if (blocked) continue;
    for (const [file, text] of texts) {
      if (!original.has(file)) original.set(file, project.text(file) ?? '');
      project.updateFile(file, text);
      written.set(file, text);
    }
    appliedFixes.push([...texts.keys()]);
  }
  for (const edit of finalEdits?.(project) ?? []) {
    const why = await refusal(edit.file);
    if (why) {
      refused.set(edit.file, why);
      continue;
    }
    if (!original.has(edit.file)) original.set(edit.file, project.text(edit.file) ?? '');
    project.updateFile(edit.file, edit.text);
    written.set(edit.file, edit.text);
    for (let i = 0; i < edit.count; i++) appliedFixes.push([edit.file]);
  }
  const files: string[] = [];
  const changes: FixSummary['changes'] = [];
  // new files first: a fix that moves code into one must not leave the code gone when the file cannot be made
  for (const [file, text] of [...written].sort((a, b) => Number(created.has(b[0])) - Number(created.has(a[0])))) {
    const expected = original.get(file)!;
    if (only !== undefined) {
      files.push(file);
      changes.push({ file, before: expected, after: text });
      continue;
    }
    if (created.has(file)) {
      const why = write ? await createNewFile(file, text, roots) : undefined;
      if (why) {
        refused.set(file, why);
        project.removeFile(file);
      } else {
        files.push(file);
        changes.push({ file, before: '', after: text, created: true });
        if (!write) project.removeFile(file);
      }
      continue;
    }
    if (!write) {
      // the diff is of the bytes on disk (BOM, lone CR line ends), so that it applies
      const forms = await diskForms(file, text).catch(() => undefined);
      project.updateFile(file, expected);
      if (forms) {
        files.push(file);
        changes.push({ file, ...forms });
      } else {
        refused.set(file, 'it cannot be read any more');
      }
      continue;
    }
    const why = await writeFixedFile(file, expected, text, roots);
    if (why) {
      refused.set(file, why);
      // the report must describe what is on disk, not the fix that was not written
      project.updateFile(file, expected);
    } else {
      files.push(file);
      changes.push({ file, before: expected, after: text });
    }
  }
  const done = new Set(files);
  const applied = appliedFixes.filter((changed) => changed.every((f) => done.has(f))).length;
  return { applied, files, changes, refused: [...refused].map(([file, reason]) => ({ file, reason })) };
}
