/**
 * manager-proxy-serialized: a Manager proxy handed to json.dump/json.dumps.
 */
import type { Rule } from '../server/src/engine/rule';

export const managerProxySerialized: Rule = {
  id: 'manager-proxy-serialized',
  defaultSeverity: 'error',
  description: 'A multiprocessing Manager proxy is passed to json.dump/json.dumps, which raises TypeError.',
  languages: ['python'],
  check(ctx) {
    for (const m of ctx.graph.modules.values()) {
      for (const p of m.proxySerialized) {
        ctx.report({
          file: m.path,
          range: p.range,
          symbol: p.symbol,
          message: `'${p.symbol}' is a multiprocessing Manager proxy, not a list or dict: ${p.callee} raises TypeError ("Object of type ListProxy/DictProxy is not JSON serializable"). Copy it first: list(${p.symbol}) or dict(${p.symbol}).`,
          related: [],
        });
      }
    }
  },
};
