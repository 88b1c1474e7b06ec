/**
 * From the value-flow layer's functions back to the engine's units: a flow function and
 * the unit it stands for share their file and start position. Shared by the Python and
 * JS links (./flowLink.ts, ./flowLinkJs.ts).
 */
import type { ModuleModel, Unit } from './model';
import type { FlowTarget } from '../flow/program';

export class FlowUnits<Key> {
  /** per file: its function units by start position */
  private readonly unitAt = new Map<string, Map<string, Unit>>();

  constructor(
    private readonly all: ReadonlyMap<string, ModuleModel>,
    private readonly keyOf: (m: ModuleModel, u: Unit) => Key,
  ) {}

  /** the unit a flow function stands for (same file, same start) */
  unitOf(t: FlowTarget): Key | undefined {
    if ((t.kind !== 'function' && t.kind !== 'lambda') || !t.file) return undefined;
    const m = this.all.get(t.file);
    if (!m) return undefined;
    let map = this.unitAt.get(t.file);
    if (!map) {
      map = new Map();
      for (const u of m.units) if (u.kind === 'function') map.set(`${u.range.start.line}:${u.range.start.character}`, u);
      this.unitAt.set(t.file, map);
    }
    const u = map.get(`${t.line}:${t.character}`);
    return u ? this.keyOf(m, u) : undefined;
  }
}
