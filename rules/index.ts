/** Every rule, in the order of SPEC §3. */
import type { Rule } from '../server/src/engine/rule';
import { staleGlobalRead } from './stale-global-read';
import { lostGlobalWrite } from './lost-global-write';
import { unguardedSpawn } from './unguarded-spawn';
import { threadPrimitiveInProcess } from './thread-primitive-in-process';
import { unsendablePayload } from './unsendable-payload';
import { managerProxySerialized } from './manager-proxy-serialized';
import { unimportableTask } from './unimportable-task';

export const RULES: readonly Rule[] = [
  staleGlobalRead,
  lostGlobalWrite,
  unguardedSpawn,
  threadPrimitiveInProcess,
  unsendablePayload,
  managerProxySerialized,
  unimportableTask,
];
