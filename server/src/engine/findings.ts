/**
 * What the engine reports. Shared by the language server, the CLI and the tests.
 */
import type { Range, StartMethod } from './model';

export const RULE_IDS = [
  'stale-global-read',
  'lost-global-write',
  'unguarded-spawn',
  'thread-primitive-in-process',
  'unsendable-payload',
  'manager-proxy-serialized',
  'unimportable-task',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export type Severity = 'error' | 'warning';
export type SeveritySetting = Severity | 'off';

export function isRuleId(s: string): s is RuleId {
  return (RULE_IDS as readonly string[]).includes(s);
}

export interface RelatedLocation {
  /** absolute path */
  file: string;
  range: Range;
  message: string;
}

/** A fix offered for a finding. The edit itself is computed on demand by the fix engine. */
export interface FixDescriptor {
  /** stable kind, e.g. 'move-to-initializer', 'return-results', 'shared-queue', 'wrap-in-guard' */
  kind: string;
  title: string;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** absolute path */
  file: string;
  range: Range;
  /** the module-level binding's name (or the spawning call's / payload's name) */
  symbol: string;
  message: string;
  related: RelatedLocation[];
  /** the fixes offered (quick fixes first, then "disable for this line" and "disable for this file"); computed on first read */
  fixes: FixDescriptor[];
}

/** The start-method assumption for Python (SPEC §6 `--start-method`). */
export type StartMethodSetting = 'portable' | StartMethod;

export interface AnalysisOptions {
  /** per-rule severity override; missing = the rule's default */
  rules?: Partial<Record<RuleId, SeveritySetting>>;
  startMethod?: StartMethodSetting;
  /** the lowest Python version the project supports ("3.12"); only the wording of messages depends on it */
  pythonVersion?: string;
}
