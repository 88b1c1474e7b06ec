/**
 * Fix providers on small in-memory programs: load sources into a Project, list the fix kinds
 * each finding offers, apply one kind through computeFix/applyFix (the code path of
 * codeAction/resolve and --fix), or assert a kind is not offered on a shape.
 */
import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { Project } from '../../server/src/engine/project';
import type { Finding } from '../../server/src/engine/findings';
import { applyFix, computeFix } from '../../server/src/fixes';

export function fixShapes(tmpName: string) {
  const ROOT = path.join(os.tmpdir(), tmpName);

  async function load(files: Record<string, string>, dir: string): Promise<{ project: Project; findings: Finding[]; at: (n: string) => string }> {
    const project = await Project.create();
    for (const [name, text] of Object.entries(files)) project.updateFile(path.join(ROOT, dir, name), text);
    return { project, findings: project.analyze(), at: (n) => path.join(ROOT, dir, n) };
  }

  /** The fix kinds offered per finding, as `rule@file:line → kinds`. */
  function offered(findings: Finding[]): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const f of findings) m.set(`${f.rule}@${path.basename(f.file)}:${f.range.start.line + 1}`, f.fixes.map((d) => d.kind));
    return m;
  }

  async function applyKind(files: Record<string, string>, dir: string, rule: string, kind: string): Promise<Map<string, string>> {
    const { project, findings } = await load(files, dir);
    const f = findings.find((x) => x.rule === rule && x.fixes.some((d) => d.kind === kind));
    assert.ok(f, `no ${rule} finding offers ${kind}: ${JSON.stringify([...offered(findings)])}`);
    const fix = computeFix({ graph: project.graph(), text: (p) => project.text(p) }, f, kind);
    assert.ok(fix, `${kind} computes no edit`);
    const out = applyFix(fix, (p) => project.text(p));
    return new Map([...out].map(([k, v]) => [path.basename(k), v]));
  }

  async function assertNotOffered(files: Record<string, string>, dir: string, rule: string, kind: string): Promise<void> {
    const { findings } = await load(files, dir);
    const mine = findings.filter((f) => f.rule === rule);
    assert.ok(mine.length > 0, `expected a ${rule} finding: ${JSON.stringify([...offered(findings)])}`);
    for (const f of mine) {
      assert.ok(!f.fixes.some((d) => d.kind === kind), `${kind} must not be offered at ${path.basename(f.file)}:${f.range.start.line + 1}`);
      assert.ok(f.fixes.some((d) => d.kind === 'disable-line'), 'disable-line is always offered');
    }
  }

  return { load, offered, applyKind, assertNotOffered };
}
