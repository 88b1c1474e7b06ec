/**
 * `textDocument/hover` and `textDocument/codeLens`: explanations specific to this code
 * (engine/explain.ts) and "runs in a worker" hints above worker-side functions.
 */
import { MarkupKind, type CodeLens, type Connection, type Hover } from 'vscode-languageserver/node';
import { explainAt, workerHint } from '../engine/explain';
import { ruleDocUrl } from '../shared/ruleInfo';
import type { RuleId } from '../engine/findings';
import { syncedProject } from './codeActions';
import { documentPosition, uriToPath, type ServerContext } from './context';
import type { SettingsStore } from './configuration';

export function register(ctx: ServerContext, connection: Connection, settings: SettingsStore): void {
  connection.onHover(async (params): Promise<Hover | null> => {
    // a notebook cell stands for a place in its notebook's text
    const at = documentPosition(ctx, params.textDocument.uri, params.position);
    if (!at) return null;
    const file = at.file;
    if (!(await settings.get(at.settingsUri)).enable) return null;
    const project = await syncedProject(ctx, params.textDocument.uri);
    if (!project?.hasFile(file)) return null;
    const result = explainAt({
      graph: project.graph(),
      file,
      position: at.position,
      findings: project.analyze(),
      docUrl: (rule) => ruleDocUrl(ctx.packageRoot, rule as RuleId),
      pythonVersion: (await settings.assumption(ctx.folders[0])).pythonVersion,
      diagnosticShown: ctx.client.hoverBelowDiagnostic,
    });
    if (!result) return null;
    const range = uriToPath(params.textDocument.uri) ? result.range : ctx.cells?.toCell(file, result.range)?.range;
    return { contents: { kind: MarkupKind.Markdown, value: result.markdown }, range };
  });

  connection.onCodeLens(async (params): Promise<CodeLens[]> => {
    const file = uriToPath(params.textDocument.uri);
    if (!file) return [];
    const s = await settings.get(params.textDocument.uri);
    if (!s.enable || s.codeLens === false) return [];
    const project = await syncedProject(ctx, params.textDocument.uri);
    const model = project?.model(file);
    if (!project || !model) return [];
    const graph = project.graph();
    const lenses: CodeLens[] = [];
    for (const u of model.units) {
      if (u.kind !== 'function' || u.isNested) continue;
      const hint = workerHint(graph, model, u);
      if (hint) lenses.push({ range: u.nameRange, command: { title: hint, command: '' } });
    }
    return lenses;
  });
}
