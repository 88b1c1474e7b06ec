/**
 * What the Python standard library's names mean to the analysis: which calls make
 * primitives, mutable containers, open files; which methods mutate their receiver. Data,
 * not code: add a row to teach a name. What starts workers and submits tasks is in the
 * framework models (../frameworks/python/).
 */

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

export const START_METHODS = new Set<string>(['fork', 'spawn', 'forkserver']);
/** value expressions {@link PythonFrontEnd.classCandidates} follows */
export const CLASS_EXPR_TYPES = new Set(['identifier', 'attribute', 'subscript', 'conditional_expression', 'parenthesized_expression']);
