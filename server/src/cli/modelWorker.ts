/**
 * A worker thread of the CLI's model pool (./modelPool.ts): receives batches of files (their
 * project text), runs the front ends on them and posts the models back as plain data
 * (structured clone). It holds no state between batches beyond the loaded parsers.
 */
import { parentPort } from 'node:worker_threads';
import { initPython } from '../python/parser';
import { extractModel } from './extractModel';
import { packModel } from './modelTransfer';
import { noteV8FlagsSetElsewhere } from '../shared/v8Flags';
import type { PoolReply, PoolRequest } from './modelPool';

const port = parentPort;
if (!port) throw new Error('modelWorker.ts runs as a worker thread of the CLI');
// loading the Python grammar starts at once, while the main thread reads files
const pythonReady = initPython().then(
  () => true,
  () => false,
);

port.on('message', (request: PoolRequest) => {
  if (request.v8Flags) noteV8FlagsSetElsewhere(request.v8Flags);
  void pythonReady.then((ready) => {
    const results: PoolReply['results'] = request.items.map(({ index, file, text, lang }) => {
      // the main thread parses what a worker could not (it reports why, for the run's problems)
      if (lang === 'python' && !ready) return { index, error: 'the Python parser could not be loaded in a worker thread' };
      try {
        const extracted = extractModel(file, text, lang);
        return { index, ...extracted, ...(request.pack ? { ranges: packModel(extracted.model) } : {}) };
      } catch (error) {
        return { index, error: error instanceof Error ? error.message : String(error) };
      }
    });
    try {
      const ranges = results.flatMap((r) => ('ranges' in r && r.ranges ? [r.ranges.buffer as ArrayBuffer] : []));
      port.postMessage({ batch: request.batch, results } satisfies PoolReply, ranges);
    } catch (error) {
      // a model that cannot be cloned (a front end put a function or a class instance in it):
      // the main thread parses the batch itself
      const why = `model not plain data: ${error instanceof Error ? error.message : String(error)}`;
      port.postMessage({ batch: request.batch, results: request.items.map(({ index }) => ({ index, error: why })) } satisfies PoolReply);
    }
  });
});
