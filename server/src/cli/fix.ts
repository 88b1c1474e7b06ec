/**
 * `crossproc --fix`: applies each finding's preferred fix (the first real fix it offers,
 * never the suppression comment), through the same code the editor's code actions use.
 */
import { promises as fs } from 'node:fs';
import type { Project } from '../engine/project';
import { applyFix, computeFix } from '../fixes';

export interface FixSummary {
  applied: number;
  files: string[];
}

/** Applies fixes one at a time, re-analysing after each (edits shift positions), then writes the files. */
export async function applyPreferredFixes(project: Project): Promise<FixSummary> {
  const written = new Map<string, string>();
  const tried = new Set<string>();
  let applied = 0;
  // each round fixes one finding; a fix that leaves its finding behind is not tried twice
  for (let round = 0; round < 500; round++) {
    let kind: string | undefined;
    const target = project.analyze().find((f) => {
      const fx = f.fixes.find((x) => x.kind !== 'disable-line');
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
    for (const [file, text] of texts) {
      project.updateFile(file, text);
      written.set(file, text);
    }
    applied++;
  }
  for (const [file, text] of written) await fs.writeFile(file, text, 'utf8');
  return { applied, files: [...written.keys()] };
}
