/**
 * One-line descriptions and default severities of the rules (SPEC §3), for places that
 * describe rules without running them: SARIF `tool.driver.rules`, `--help`, settings
 * validation messages. Rule docs live in `rules/<id>.md` and ship with the extension.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULE_IDS, type RuleId, type Severity } from '../engine/findings';

export interface RuleInfo {
  id: RuleId;
  defaultSeverity: Severity;
  description: string;
}

const INFO: Record<RuleId, Omit<RuleInfo, 'id'>> = {
  'stale-global-read': {
    defaultSeverity: 'warning',
    description: 'Worker code reads a module-level binding that only the parent sets at run time; the worker sees the import-time value.',
  },
  'lost-global-write': {
    defaultSeverity: 'error',
    description: "Worker code writes module-level state that the parent reads (or nobody in the worker reads); the write stays in the worker's copy.",
  },
  'unguarded-spawn': {
    defaultSeverity: 'error',
    description: 'A process or worker is started at import time, outside the main-module / main-thread guard.',
  },
  'thread-primitive-in-process': {
    defaultSeverity: 'warning',
    description: 'A module-level threading lock, event or queue is used by process-side code; each process has its own copy.',
  },
  'unsendable-payload': {
    defaultSeverity: 'error',
    description: 'A value that cannot be pickled or structured-cloned (lambda, local function, lock, function, Symbol...) is sent to a worker.',
  },
  'manager-proxy-serialized': {
    defaultSeverity: 'error',
    description: 'A multiprocessing Manager proxy is passed to json.dump/json.dumps, which cannot serialise it.',
  },
};

/** All rules, in the stable order of `RULE_IDS`. */
export const RULES: readonly RuleInfo[] = RULE_IDS.map((id) => ({ id, ...INFO[id] }));

/**
 * The `file:` URL of a rule's documentation shipped with the extension or CLI package.
 * @param packageRoot the folder holding `rules/` (the parent of `dist/` in a build)
 */
export function ruleDocUrl(packageRoot: string, rule: RuleId): string {
  return pathToFileURL(path.join(packageRoot, 'rules', `${rule}.md`)).href;
}
