/**
 * How a model crosses from a model worker to the main thread (./modelPool.ts) cheaply. A
 * structured clone rebuilds every object of the model on the main thread, and a range is
 * three of them (`{ start: { line, character }, end }`), which the project then replaces by
 * one {@link Span} (engine/compact.ts). So the worker compacts the model as the project
 * would (exact arrays, slim records, shared references), with each range replaced by a
 * number into one Int32Array of four numbers per range (transferred, not copied); the main
 * thread's compaction makes the spans from it. Measured on the standard library (--jobs 2,
 * 48 % of the models made by the worker): deserialising them took 0.38–0.47 s of the main
 * thread with plain ranges.
 */
import { compactModel, spanOf, toSpan, type Span } from '../engine/compact';
import type { ModuleModel, Range } from '../engine/model';

/**
 * Compacts `model` in place (worker side), its ranges numbered from 1 (never 0, which
 * would read as "no range" where a range is optional); returns the ranges' numbers.
 */
export function packModel(model: ModuleModel): Int32Array {
  let buf = new Int32Array(1024);
  let n = 4;
  const number = (r: Range): Span => {
    if (n + 4 > buf.length) {
      const grown = new Int32Array(buf.length * 2);
      grown.set(buf);
      buf = grown;
    }
    buf[n] = r.start.line;
    buf[n + 1] = r.start.character;
    buf[n + 2] = r.end.line;
    buf[n + 3] = r.end.character;
    n += 4;
    return (n / 4 - 1) as unknown as Span;
  };
  compactModel(model, true, number);
  return buf.slice(0, n);
}

/** The span maker (engine/compact.ts, compactModel) for a model packed by {@link packModel} with these `ranges`. */
export function unpackSpans(ranges: Int32Array): (r: Range) => Span {
  return (r) => {
    if (typeof r !== 'number') return spanOf(r);
    const i = (r as number) * 4;
    return toSpan(ranges[i]!, ranges[i + 1]!, ranges[i + 2]!, ranges[i + 3]!);
  };
}
