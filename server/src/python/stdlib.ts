/**
 * What the Python standard library's names mean to the analysis: which calls start
 * processes or pools, which make primitives, mutable containers, open files; which
 * methods mutate their receiver or submit tasks. Data, not code: add a row to teach a name.
 */
import type { StartMethod, SystemKind } from '../engine/model';

export const MUTATING_METHODS = new Set([
  // list
  'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'sort', 'reverse',
  // dict
  'update', 'setdefault', 'popitem',
  // set
  'add', 'discard', 'difference_update', 'intersection_update', 'symmetric_difference_update',
  // deque / Counter / OrderedDict
  'appendleft', 'extendleft', 'popleft', 'rotate', 'subtract', 'move_to_end',
  // queues, pipes, events, proxies
  'put', 'put_nowait', 'send', 'set',
  '__setitem__', '__delitem__', '__iadd__',
]);

export const THREAD_PRIMITIVES = new Set([
  'threading.Lock', 'threading.RLock', 'threading.Semaphore', 'threading.BoundedSemaphore',
  'threading.Event', 'threading.Condition', 'threading.Barrier',
  'queue.Queue', 'queue.LifoQueue', 'queue.PriorityQueue', 'queue.SimpleQueue',
]);

export const MP_PRIMITIVE_NAMES = new Set([
  'Queue', 'SimpleQueue', 'JoinableQueue', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore',
  'Event', 'Condition', 'Barrier', 'Value', 'Array', 'Pipe', 'RawValue', 'RawArray',
]);
export const MP_QUEUES = new Set(['Queue', 'SimpleQueue', 'JoinableQueue']);
export const MP_LOCKLIKE = new Set(['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Event', 'Condition', 'Barrier', 'Value', 'Array']);

export const MANAGER_CTORS = new Set(['multiprocessing.Manager', 'multiprocessing.managers.SyncManager']);
export const MANAGER_PROXY_METHODS = new Set([
  'list', 'dict', 'Queue', 'JoinableQueue', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore',
  'Condition', 'Event', 'Barrier', 'Value', 'Array', 'Namespace', 'Pool',
]);

export const MUTABLE_CTORS = new Set([
  'list', 'dict', 'set', 'bytearray',
  'collections.defaultdict', 'collections.Counter', 'collections.deque', 'collections.OrderedDict',
  'collections.ChainMap', 'defaultdict', 'Counter', 'deque', 'OrderedDict', 'array.array',
]);
export const CONSTANT_CTORS = new Set(['frozenset', 'tuple', 'types.MappingProxyType']);

export const OPEN_CALLS = new Set([
  'open', 'io.open', 'builtins.open', 'os.fdopen', 'gzip.open', 'bz2.open', 'lzma.open',
  'codecs.open', 'tempfile.TemporaryFile', 'tempfile.NamedTemporaryFile', 'tempfile.SpooledTemporaryFile',
]);

export interface SystemInfo {
  system: SystemKind;
  label: string;
  isProcess: boolean;
  shape: 'pool' | 'executor' | 'process' | 'manager';
}
export const SYSTEMS = new Map<string, SystemInfo>();
function sys(names: string[], info: SystemInfo): void {
  for (const n of names) SYSTEMS.set(n, info);
}
sys(['multiprocessing.Pool', 'multiprocessing.pool.Pool', 'multiprocessing.context.BaseContext.Pool'],
  { system: 'mp.Pool', label: 'Pool', isProcess: true, shape: 'pool' });
sys(['multiprocessing.dummy.Pool', 'multiprocessing.pool.ThreadPool', 'multiprocessing.dummy.ThreadPool'],
  { system: 'threads', label: 'ThreadPool', isProcess: false, shape: 'pool' });
sys(['concurrent.futures.ProcessPoolExecutor', 'concurrent.futures.process.ProcessPoolExecutor'],
  { system: 'ProcessPoolExecutor', label: 'ProcessPoolExecutor', isProcess: true, shape: 'executor' });
sys(['concurrent.futures.InterpreterPoolExecutor', 'concurrent.futures.interpreter.InterpreterPoolExecutor'],
  { system: 'InterpreterPoolExecutor', label: 'InterpreterPoolExecutor', isProcess: true, shape: 'executor' });
sys(['concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.thread.ThreadPoolExecutor'],
  { system: 'threads', label: 'ThreadPoolExecutor', isProcess: false, shape: 'executor' });
sys(['multiprocessing.Process', 'multiprocessing.process.Process', 'multiprocessing.context.Process'],
  { system: 'mp.Process', label: 'Process', isProcess: true, shape: 'process' });
sys(['threading.Thread', 'multiprocessing.dummy.Process'],
  { system: 'threads', label: 'Thread', isProcess: false, shape: 'process' });
sys(['multiprocessing.Manager', 'multiprocessing.managers.SyncManager'],
  { system: 'mp.Manager', label: 'Manager', isProcess: true, shape: 'manager' });

export const POOL_SUBMIT = new Set(['map', 'map_async', 'imap', 'imap_unordered', 'starmap', 'starmap_async', 'apply', 'apply_async']);
export const EXECUTOR_SUBMIT = new Set(['submit', 'map']);
export const START_METHODS = new Set<string>(['fork', 'spawn', 'forkserver']);
/** value expressions {@link PythonFrontEnd.classCandidates} follows */
export const CLASS_EXPR_TYPES = new Set(['identifier', 'attribute', 'subscript', 'conditional_expression', 'parenthesized_expression']);

/** Standard-library thread classes a user class may subclass: its `run()` is thread code of the process that starts it. */
export const THREAD_CLASSES = new Set(['threading.Thread']);

/** Standard-library process classes a user class may subclass (its `run()` is worker code), with the start method each pins. */
export const PROCESS_CLASSES = new Map<string, StartMethod | undefined>([
  ['multiprocessing.Process', undefined],
  ['multiprocessing.process.BaseProcess', undefined],
  ['multiprocessing.context.Process', undefined],
  ['multiprocessing.context.SpawnProcess', 'spawn'],
  ['multiprocessing.context.ForkProcess', 'fork'],
  ['multiprocessing.context.ForkServerProcess', 'forkserver'],
]);
