/**
 * The records of the cross-file graph (./contexts.ts): units and their keys, spawns, why a
 * unit runs in a worker, programs and call edges. Kept apart from the graph that computes
 * them so the passes that only read them (./order.ts, ./programs.ts, the rules) need not
 * reach into the graph's file.
 */
import type { ModuleModel, Range, SpawnSite, StartMethod, Unit } from './model';

export type UnitKey = string;

export function unitKey(m: ModuleModel, u: Unit): UnitKey {
  return `${m.path}::${u.id}`;
}

export interface UnitRef {
  module: ModuleModel;
  unit: Unit;
}

export interface SpawnRecord {
  module: ModuleModel;
  site: SpawnSite;
  /** the pinned start method, if any (site, module, or the `--start-method` assumption) */
  startMethod?: StartMethod;
  /** true when the start method comes from the code rather than the user's assumption */
  pinnedInCode: boolean;
  /** the worker module a Node spawn loads, when resolved */
  workerModule?: ModuleModel;
}

/** Why a unit runs in a worker: the spawn that reaches it and how the worker enters. */
export interface WorkerReason {
  spawn: SpawnRecord;
  /** 'Pool.map', 'new Worker', 'parentPort message handler', 'initializer'... */
  via: string;
  /** where the worker enters: the submitting call or the spawn call */
  range: Range;
  file: string;
}

export interface Program {
  root: UnitRef;
  parent: Set<UnitKey>;
  spawns: SpawnRecord[];
  /** worker-side units (tasks, worker modules, handlers, and what they call) */
  worker: Map<UnitKey, WorkerReason>;
  /** units reachable from initializers (and Node worker modules' top level): worker set-up */
  init: Set<UnitKey>;
  /** JS: parent units the value-flow layer places after a worker's end (see {@link ModuleModel.flowExitHandlers}) */
  afterExit?: Set<UnitKey>;
  /** Python: parent calls only the value-flow layer resolves (a dispatched handler table), as edges for the order of events */
  flowEdges?: Map<UnitKey, Edges>;
}

/** The call edges out of one unit, in first-call order. */
export interface Edges {
  to: UnitKey[];
  /** position of the first call (or of the closure's definition), for "happens before" questions */
  at: number[];
  /** closure edges (the unit defines the callee) and registrations (`signal.signal(s, f)`): they run later, e.g. as handlers */
  nested: boolean[];
  /** `atexit.register(f)`: runs when the process exits, after what it waited for (a nested edge too) */
  atExit: boolean[];
}

export type HappensBefore = { fully: Set<UnitKey>; cut: Map<UnitKey, number> };
