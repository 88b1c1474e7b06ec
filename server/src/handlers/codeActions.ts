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
import type { Finding } from '../engine/findings';
import type { Project } from '../engine/project';
import { computeFix, type FixEdit } from '../fixes';
import { DIAGNOSTIC_SOURCE, type DiagnosticData } from '../shared/protocol';
import { ruleDocUrl } from '../shared/ruleInfo';
import { pathToUri, uriToPath, type ServerContext } from './context';

export const SHOW_DOC_COMMAND = 'crossproc.showRuleDocumentation';

/** What a code action carries until it is resolved. */
interface ActionData {
  uri: string;
  version: number | null;
  rule: string;
  line: number;
  character: number;
  fix: string;
}

/** Feeds the open document's current text to the project (no-op when unchanged). */
export async function syncedProject(ctx: ServerContext, uri: string): Promise<Project | undefined> {
  const project = await ctx.project;
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

/** A WorkspaceEdit for a fix: one version-checked TextDocumentEdit per file. */
export function toWorkspaceEdit(ctx: ServerContext, fix: FixEdit, useDocumentChanges: boolean): WorkspaceEdit {
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
    const file = uriToPath(data.uri);
    if (!project || !file) return undefined;
    const finding = findFinding(project, file, data.rule, data.line, data.character);
    if (!finding) return undefined;
    const fix = computeFix({ graph: project.graph(), text: (f) => project.text(f) }, finding, data.fix);
    return fix ? toWorkspaceEdit(ctx, fix, documentChanges) : undefined;
  };

  connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
    const actions: CodeAction[] = [];
    const doc = ctx.documents.get(params.textDocument.uri);
    const ours = params.context.diagnostics.filter((d: Diagnostic) => d.source === DIAGNOSTIC_SOURCE && d.data);
    if (params.context.only && !params.context.only.some((k) => k === CodeActionKind.QuickFix || k.startsWith(`${CodeActionKind.QuickFix}.`))) {
      return actions;
    }
    const docsShown = new Set<string>();
    for (const d of ours) {
      const info = d.data as DiagnosticData;
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
        if (fx.kind !== 'disable-line' && preferred) {
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
    return actions;
  });

  connection.onCodeActionResolve(async (action: CodeAction): Promise<CodeAction> => {
    const data = action.data as ActionData | undefined;
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
