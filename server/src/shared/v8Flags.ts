/**
 * V8 flags this process sets at run time, recorded: V8 refuses a code cache made under other
 * flags (see codeCache.ts), so the cache's key names the flags in force when it is made.
 */
import { setFlagsFromString } from 'node:v8';

const set: string[] = [];

/** Sets a V8 flag now (`setFlagsFromString`) and records it. */
export function setV8Flag(flag: string): void {
  setFlagsFromString(flag);
  set.push(flag);
}

/** The flags set through {@link setV8Flag} so far, in order. */
export function v8FlagsSet(): readonly string[] {
  return set;
}

/**
 * Records flags another thread of this process set (V8's flags are the process's): a
 * worker thread's code cache key must name them too (cli/modelPool.ts sends them).
 */
export function noteV8FlagsSetElsewhere(flags: readonly string[]): void {
  for (const flag of flags) if (!set.includes(flag)) set.push(flag);
}
