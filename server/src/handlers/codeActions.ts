/**
 * `textDocument/codeAction` + `codeAction/resolve` + the "show documentation" command.
 *
 * Diagnostics carry their rule and fix descriptors in `Diagnostic.data`; the action list is
 * built from that alone (cheap), and the edit is computed in `codeAction/resolve` when the
 * client supports it (otherwise eagerly). Edits are version-checked `TextDocumentEdit`s.
 */
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type TextDocumentEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isRuleId, type Finding } from '../engine/findings';
import type { Project } from '../engine/project';
import { computeFix, SUPPRESSION_FIX_KINDS, type FixEdit } from '../fixes';
import { fixAllInFile, fixAllKindOf, minimalEdit } from '../fixes/fix-all';
import { DIAGNOSTIC_SOURCE, type DiagnosticData } from '../shared/protocol';
import { ruleDocUrl } from '../shared/ruleInfo';
import { documentPosition, pathToUri, uriToPath, type ServerContext } from './context';
import { notebookWorkspaceEdit } from '../notebook/edits';

export const SHOW_DOC_COMMAND = 'crossproc.showRuleDocumentation';
/** The source action of `editor.codeActionsOnSave` (`"source.fixAll.crossproc": "explicit"`, or all `source.fixAll`). */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.crossproc`;
export const FIX_ALL_TITLE = 'Fix all Crossproc problems in this file';

/** What the "Fix all" quick fix carries until it is resolved. */
interface FixAllData {
  uri: string;
  version: number | null;
  fixAll: true;
}

function fixAllData(value: unknown): FixAllData | undefined {
  if (!isRecord(value) || value['fixAll'] !== true || typeof value['uri'] !== 'string') return undefined;
  const version = value['version'];
  if (!(version === null || Number.isInteger(version))) return undefined;
  return { uri: value['uri'], version: version as number | null, fixAll: true };
}

/** Whether the request's `only` (absent: everything the client shows by default) asks for `kind`. */
function wants(only: unknown, kind: string, byDefault: boolean): boolean {
  if (!Array.isArray(only)) return byDefault;
  return only.some((k) => typeof k === 'string' && (k === kind || kind.startsWith(`${k}.`)));
}

/** What a code action carries until it is resolved. */
interface ActionData {
  uri: string;
  version: number | null;
  rule: string;
  line: number;
  character: number;
  fix: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isIndex = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

/**
 * The request's diagnostic, if it is one of ours: `source` and a well-formed `data` and
 * range. Clients echo diagnostics back, but anything can arrive (another tool's `data`,
 * a hand-written request), and a malformed one must give no actions, not an internal error.
 */
function ourDiagnostic(d: unknown): { diagnostic: Diagnostic; data: DiagnosticData } | undefined {
  if (!isRecord(d) || d['source'] !== DIAGNOSTIC_SOURCE || !isRecord(d['data']) || !isRecord(d['range'])) return undefined;
  const start = d['range']['start'];
  if (!isRecord(start) || !isIndex(start['line']) || !isIndex(start['character'])) return undefined;
  const { rule, symbol, fixes } = d['data'];
  if (typeof rule !== 'string' || !isRuleId(rule) || !Array.isArray(fixes)) return undefined;
  const valid = fixes.filter((f): f is DiagnosticData['fixes'][number] => isRecord(f) && typeof f['kind'] === 'string' && typeof f['title'] === 'string');
  return { diagnostic: d as unknown as Diagnostic, data: { rule, symbol: typeof symbol === 'string' ? symbol : '', fixes: valid } };
}

/** A code action's `data`, if the server made it (see {@link ActionData}). */
function actionData(value: unknown): ActionData | undefined {
  if (!isRecord(value)) return undefined;
  const { uri, version, rule, line, character, fix } = value;
  if (typeof uri !== 'string' || typeof rule !== 'string' || typeof fix !== 'string') return undefined;
  if (!(version === null || Number.isInteger(version)) || !isIndex(line) || !isIndex(character)) return undefined;
  return { uri, version: version as number | null, rule, line, character, fix };
}

/**
 * The real path of `file`; for a file that does not exist yet (one a fix creates), its
 * folder's real path joined with its name, so a symlinked folder cannot lead outside.
 */
async function realPathOf(file: string): Promise<string> {
  return fs.realpath(file).catch(() =>
    fs.realpath(path.dirname(file)).then(
      (folder) => path.join(folder, path.basename(file)),
      () => file,
    ),
  );
}

/**
 * Whether a fix may edit `file`: an open document, or a file whose real path is inside a
 * workspace folder (so an edit never goes through a symlink to somewhere else).
 */
async function mayEdit(ctx: ServerContext, file: string): Promise<boolean> {
  if (ctx.documents.get(pathToUri(file))) return true;
  const real = await realPathOf(file);
  for (const folder of ctx.folders) {
    const rel = path.relative(await realPathOf(folder), real);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return true;
  }
  return false;
}

/** Feeds the open document's current text to the project (no-op when unchanged). */
export async function syncedProject(ctx: ServerContext, uri: string): Promise<Project | undefined> {
  const project = await ctx.project;
  ctx.memory.touch();
  const file = uriToPath(uri);
  const doc = ctx.documents.get(uri);
  if (file && doc) project.updateFile(file, doc.getText(), doc.version);
  return project;
}

function findFinding(project: Project, file: string, rule: string, line: number, character: number): Finding | undefined {
  return project
    .analyze()
    .find((f) => f.file === file && f.rule === rule && f.range.start.line === line && f.range.start.character === character);
}

/**
 * A WorkspaceEdit for a fix: one version-checked TextDocumentEdit per file. A fix that edits an
 * open notebook or creates a file goes through notebook/edits.ts (undefined when it cannot).
 */
export function toWorkspaceEdit(ctx: ServerContext, fix: FixEdit, useDocumentChanges: boolean): WorkspaceEdit | undefined {
  if (fix.changes.some((fe) => fe.create || ctx.cells?.isOpen(fe.file))) return notebookWorkspaceEdit(ctx, fix, useDocumentChanges);
  if (!useDocumentChanges) {
    const changes: WorkspaceEdit['changes'] = {};
    for (const fe of fix.changes) changes[pathToUri(fe.file)] = fe.edits;
    return { changes };
  }
  const documentChanges: TextDocumentEdit[] = fix.changes.map((fe) => {
    const uri = pathToUri(fe.file);
    const doc = ctx.documents.get(uri);
    return { textDocument: { uri, version: doc ? doc.version : null }, edits: fe.edits };
  });
  return { documentChanges };
}

export function register(ctx: ServerContext, connection: Connection): { capabilities(params: { resolve: boolean; documentChanges: boolean }): void } {
  let resolveSupported = false;
  let documentChanges = false;

  const editFor = async (data: ActionData): Promise<WorkspaceEdit | undefined> => {
    const doc = ctx.documents.get(data.uri);
    // the document moved on since the action was offered: no stale edit
    if (doc && data.version !== null && doc.version !== data.version) return undefined;
    const project = await syncedProject(ctx, data.uri);
    // a notebook cell's position is one of its notebook's text
    const at = documentPosition(ctx, data.uri, { line: data.line, character: data.character });
    if (!project || !at) return undefined;
    const finding = findFinding(project, at.file, data.rule, at.position.line, at.position.character);
    if (!finding) return undefined;
    const fix = computeFix({ graph: project.graph(), text: (f) => project.text(f) }, finding, data.fix);
    if (!fix) return undefined;
    for (const change of fix.changes) if (!(await mayEdit(ctx, change.file))) return undefined;
    return toWorkspaceEdit(ctx, fix, documentChanges);
  };

  /**
   * The whole-document edit of fix-all, against the open document's current version (a
   * stale request gets none), or undefined when nothing is fixable.
   */
  const fixAllEdit = async (uri: string, version: number | null): Promise<WorkspaceEdit | undefined> => {
    const doc = ctx.documents.get(uri);
    if (!doc || (version !== null && doc.version !== version)) return undefined;
    const project = await syncedProject(ctx, uri);
    const file = uriToPath(uri);
    if (!project || !file || !(await mayEdit(ctx, file))) return undefined;
    const before = project.text(file);
    const result = before === undefined ? undefined : fixAllInFile(project, file);
    if (!result || before === undefined) return undefined;
    // positions of the edit are in the document's own text (the project's copy only differs by lone CRs, which keep offsets)
    const edit = minimalEdit(before, result.text);
    return toWorkspaceEdit(ctx, { kind: 'fix-all', title: FIX_ALL_TITLE, changes: [{ file, edits: [edit] }] }, documentChanges);
  };

  connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
    const actions: CodeAction[] = [];
    if (typeof params?.textDocument?.uri !== 'string' || !isRecord(params.context)) return actions;
    const doc = ctx.documents.get(params.textDocument.uri);
    const received: unknown = params.context.diagnostics;
    const ours = (Array.isArray(received) ? received : []).map(ourDiagnostic).filter((d) => d !== undefined);
    const only: unknown = params.context.only;
    if (wants(only, FIX_ALL_KIND, false)) {
      // on save: computed now, as the client applies it without resolving
      const edit = await fixAllEdit(params.textDocument.uri, doc ? doc.version : null);
      if (edit) actions.push({ title: FIX_ALL_TITLE, kind: FIX_ALL_KIND, edit });
    }
    if (!wants(only, CodeActionKind.QuickFix, true)) return actions;
    const docsShown = new Set<string>();
    for (const { diagnostic: d, data: info } of ours) {
      let preferred = true;
      for (const fx of info.fixes) {
        const data: ActionData = {
          uri: params.textDocument.uri,
          version: doc ? doc.version : null,
          rule: info.rule,
          line: d.range.start.line,
          character: d.range.start.character,
          fix: fx.kind,
        };
        const action: CodeAction = { title: fx.title, kind: CodeActionKind.QuickFix, diagnostics: [d], data };
        if (!SUPPRESSION_FIX_KINDS.includes(fx.kind) && preferred) {
          action.isPreferred = true;
          preferred = false;
        }
        if (!resolveSupported) {
          const edit = await editFor(data);
          if (!edit) continue;
          action.edit = edit;
          delete action.data;
        }
        actions.push(action);
      }
      if (!docsShown.has(info.rule)) {
        docsShown.add(info.rule);
        actions.push({
          title: `Show documentation for ${info.rule}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          command: { title: `Show documentation for ${info.rule}`, command: SHOW_DOC_COMMAND, arguments: [info.rule] },
        });
      }
    }
    if (ours.some(({ data: info }) => fixAllKindOf(info) !== undefined)) {
      const fixAll = await fixAllAction(params.textDocument.uri, doc ? doc.version : null);
      if (fixAll) actions.push(fixAll);
    }
    return actions;
  });

  /**
   * "Fix all Crossproc problems in this file", offered with a batch-safe fix when the file
   * has more than one finding that has one (with one, it is that finding's own fix).
   */
  const fixAllAction = async (uri: string, version: number | null): Promise<CodeAction | undefined> => {
    const project = await syncedProject(ctx, uri);
    const file = uriToPath(uri);
    if (!project || !file) return undefined;
    const fixable = project.analyze().filter((f) => f.file === file && fixAllKindOf(f) !== undefined);
    if (fixable.length < 2) return undefined;
    const data: FixAllData = { uri, version, fixAll: true };
    const action: CodeAction = { title: FIX_ALL_TITLE, kind: CodeActionKind.QuickFix, data };
    if (resolveSupported) return action;
    const edit = await fixAllEdit(uri, version);
    return edit ? { title: FIX_ALL_TITLE, kind: CodeActionKind.QuickFix, edit } : undefined;
  };

  connection.onCodeActionResolve(async (action: CodeAction): Promise<CodeAction> => {
    const all = fixAllData(action?.data);
    if (all) {
      const edit = await fixAllEdit(all.uri, all.version);
      if (edit) action.edit = edit;
      return action;
    }
    const data = actionData(action?.data);
    if (!data) return action;
    const edit = await editFor(data);
    if (edit) action.edit = edit;
    return action;
  });

  connection.onExecuteCommand(async (params) => {
    if (params.command !== SHOW_DOC_COMMAND) return;
    const rule = String(params.arguments?.[0] ?? '');
    const uri = ruleDocUrl(ctx.packageRoot, rule as Finding['rule']);
    await connection.window.showDocument({ uri, takeFocus: true });
  });

  return {
    capabilities(p) {
      resolveSupported = p.resolve;
      documentChanges = p.documentChanges;
    },
  };
}
