/**
 * The model records the JS front end makes — units, accesses, calls, bindings — each with
 * every field present from the start, in the order the Python front end uses (python/uses.ts
 * newCall, python/declare.ts newBinding, python/resolve.ts addUnit). Records of one kind then
 * share one hidden class whichever front end made them, so the engine's passes over them
 * (linker, contexts, rules) read them monomorphically; a field added later to some of them
 * would split them into several classes.
 */
import type { Access, AccessKind, Binding, Call, Range, Ref, Unit, UnitKind, ValueKind } from '../engine/model';

export function newUnit(id: number, kind: UnitKind, name: string, range: Range, nameRange: Range, parent: number | undefined, isNested: boolean): Unit {
  return {
    id, kind, name, range, nameRange, parent, binding: undefined, exportedAs: undefined, params: [], accesses: [], calls: [],
    globals: undefined, isNested, isGenerator: undefined, detached: undefined, afterWorkerExit: undefined,
  };
}

export function newAccess(ref: Ref, kind: AccessKind, range: Range, offset: number, detail: string | undefined): Access {
  return { ref, kind, range, offset, detail, lazyInit: undefined, fromParam: undefined, member: undefined };
}

export function newCall(callee: Ref, range: Range, offset: number, handedOver: boolean | undefined): Call {
  return { callee, range, offset, ifClass: undefined, asModule: undefined, started: undefined, registered: undefined, submits: undefined, handedOver };
}

export function newBinding(name: string, range: Range, kind: ValueKind, detail: string | undefined, isConst: boolean, importFrom: Binding['importFrom']): Binding {
  return {
    name, range, kind, detail, isConst, importFrom, unit: undefined,
    methods: undefined, attrs: undefined, processClass: undefined, threadClass: undefined, bases: undefined,
    contextBases: undefined, contexts: undefined, remote: undefined,
  };
}
