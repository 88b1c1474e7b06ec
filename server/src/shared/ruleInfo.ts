/**
 * Rule metadata for places that describe rules without running them (SARIF
 * `tool.driver.rules`), and links to the rule docs shipped with the extension and CLI.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES as RULE_IMPLEMENTATIONS } from '../../../rules';
import type { RuleId, Severity } from '../engine/findings';

export interface RuleInfo {
  id: RuleId;
  defaultSeverity: Severity;
  description: string;
}

/** All rules, in the order of SPEC §3. */
export const RULES: readonly RuleInfo[] = RULE_IMPLEMENTATIONS.map(({ id, defaultSeverity, description }) => ({
  id,
  defaultSeverity,
  description,
}));

/**
 * The `file:` URL of a rule's documentation shipped with the extension or CLI package.
 * @param packageRoot the folder holding `rules/` (the parent of `dist/` in a build)
 */
export function ruleDocUrl(packageRoot: string, rule: RuleId): string {
  return pathToFileURL(path.join(packageRoot, 'rules', `${rule}.md`)).href;
}
