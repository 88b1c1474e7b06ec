/**
 * The indexes a project graph (./contexts.ts) is made of, and what a patch of them changed.
 */
import type { ModuleModel } from './model';
import type { StartMethodSetting } from './findings';
import { Linker, type SymbolKey } from './link';
import type { FlowChoice } from './flowLink';
import type { AccessRecord, ModuleLink } from './moduleLink';
import type { CachedProgram, FlowStartsMemo } from './programs';
import type { UnitKey, UnitRef, SpawnRecord, Edges } from './graphTypes';

/** What a patch changed, for deciding which cached programs still hold. */
export interface Changes {
  /** modules with a new model */
  modules: Set<string>;
  /** modules whose interface changed */
  interfaces: Set<string>;
  /** symbols whose function units changed */
  syms: Set<SymbolKey>;
  /** units whose edges changed (targets, order or closure flags), removed units, units of new or removed spawn sites */
  units: Set<UnitKey>;
  /** units whose edges changed at all, call positions included */
  moved: Set<UnitKey>;
  /** the previous value-flow program's modules, when an edit may change which modules it holds (./flowLink.ts flowChoiceKey) */
  flowModules?: readonly string[];
}

/**
 * The merged indexes a graph is made of. A patched graph takes them over from the previous
 * graph (which is retired) and replaces only the contributions of the modules an edit affects.
 */
export class Indexes {
  readonly modules = new Map<string, ModuleModel>();
  /** kept across patches: a patch keeps the set of files, so module resolutions still hold */
  readonly linker = new Linker(this.modules);
  /** each module's place in the project's order: merged lists keep it, so a patch gives what a fresh build gives */
  readonly ordinal = new Map<string, number>();
  readonly links = new Map<string, ModuleLink>();
  readonly units = new Map<UnitKey, UnitRef>();
  readonly unitsBySymbol = new Map<SymbolKey, UnitKey[]>();
  readonly edges = new Map<UnitKey, Edges>();
  /** reverse edges: to tell, when edges go away, what still reaches a unit */
  readonly callers = new Map<UnitKey, UnitKey[]>();
  readonly accessesBySymbol = new Map<SymbolKey, AccessRecord[]>();
  readonly accessesByUnit = new Map<UnitKey, AccessRecord[]>();
  readonly importers = new Map<string, Set<string>>();
  /** module → the modules whose link read its interface */
  readonly dependents = new Map<string, Set<string>>();
  /** spawn records of the modules that have spawn sites */
  readonly spawns = new Map<string, SpawnRecord[]>();
  /** paths of the worker modules spawn sites load */
  targets = new Set<string>();
  readonly importTime = new Set<UnitKey>();
  /** program roots of each module that has some, and those modules in project order */
  readonly roots = new Map<string, Array<{ key: UnitKey; ref: UnitRef }>>();
  readonly rootModules: string[] = [];
  readonly rootPrograms = new Map<UnitKey, CachedProgram>();
  libraryPrograms = new Map<UnitKey, CachedProgram>();
  /** 'm:file', 'i:file', 's:symbol' → the cached programs that read that model, interface or symbol */
  readonly programReads = new Map<string, Set<CachedProgram>>();
  /** unit → how many root programs' parent side holds it (a library program starts where none does) */
  readonly covered = new Map<UnitKey, number>();
  /**
   * the value-flow program's choice of modules, kept while no patch changes what choosing
   * read (it walks every module: a few milliseconds per edit on the standard library)
   */
  flowChoice?: FlowChoice;
  /** the starts only the value-flow program finds (./programs.ts), kept while nothing they read changes */
  readonly flowStarts: { memo?: FlowStartsMemo } = {};

  constructor(readonly startMethod: StartMethodSetting) {}

  order(file: string): number {
    return this.ordinal.get(file) ?? Infinity;
  }
}
