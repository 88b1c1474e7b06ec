/**
 * Per-rule severity settings (`crossproc.rules`, `--rule`) applied to findings.
 */
import type { Finding, RuleId, SeveritySetting } from '../engine/findings';

/**
 * Drops findings of rules set to `off` and re-levels the others. The engine applies the
 * same options project-wide; the language server also calls this per file, because its
 * settings are per resource (a folder may turn a rule off for itself only).
 */
export function applyRuleSettings(
  findings: readonly Finding[],
  rules: Partial<Record<RuleId, SeveritySetting>>,
): Finding[] {
  const out: Finding[] = [];
  for (const finding of findings) {
    const setting = rules[finding.rule];
    if (setting === 'off') continue;
    out.push(setting && setting !== finding.severity ? { ...finding, severity: setting } : finding);
  }
  return out;
}

/** Orders findings by file, then position, then rule: stable output for people and diffs. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}
