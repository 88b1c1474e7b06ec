/**
 * The part of Project.updateFile a worker thread can do (cli/modelPool.ts): run the front end
 * on a file's project text and hand back its model as plain data. Both threads of a pool
 * call this, so a model is the same whichever thread made it; the project then adds it in
 * the run's order and decides the value-flow facts as it does when it parses itself
 * (engine/project.ts, ExtractedModel).
 */
import type { ExtractedModel } from '../engine/project';
import { jsFrontEndText } from '../engine/language';
import type { Language } from '../engine/model';
import { parseJs } from '../js/frontend';
import { parsePython } from '../python/frontend';

/**
 * The model of `text` (already {@link projectText}, not over the budget). Python: facts as
 * for a project's first FLOW_FACTS_BYTES (deferred unless the module starts processes); the
 * deferred facts (a getter that re-parses) cannot cross threads and are dropped, marked.
 */
export function extractModel(file: string, text: string, lang: Language): ExtractedModel {
  const model = lang === 'python' ? parsePython(file, text, { flowFacts: true, lazyFlowFacts: true }) : parseJs(file, jsFrontEndText(text));
  const flow = Object.getOwnPropertyDescriptor(model, 'flow');
  const deferredFacts = flow?.get !== undefined;
  if (deferredFacts) delete model.flow;
  return { model, deferredFacts };
}
