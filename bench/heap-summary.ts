/**
 * `npx tsx bench/heap-summary.ts FILE.heapsnapshot [--min MB] [--depth N]`: what holds a V8
 * heap snapshot's memory (bench/heap-snapshot.ts writes one of the language server at rest).
 * Prints the self size by constructor, and the dominator tree down to objects retaining at
 * least --min MB (default 3): each line an object's retained size, its type and name, and the
 * edge its dominator reaches it by. Reads the file's numbers straight from the bytes (a
 * snapshot of a 400 MB heap is larger than one JS string may be); weak edges do not retain.
 */
import * as fs from 'node:fs';

interface Snapshot {
  nodeFields: string[];
  nodeTypes: string[];
  edgeFields: string[];
  edgeTypes: string[];
  nodes: Uint32Array;
  edges: Uint32Array;
  strings: string[];
}

function numbersFrom(buf: Buffer, start: number, count: number): { values: Uint32Array; end: number } {
  const values = new Uint32Array(count);
  let n = 0;
  let i = start;
  let cur = 0;
  let inNum = false;
  for (; ; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      cur = cur * 10 + (c - 48);
      inNum = true;
    } else {
      if (inNum) values[n++] = cur;
      cur = 0;
      inNum = false;
      if (c === 93) break; // ]
    }
  }
  if (n !== count) throw new Error(`expected ${count} numbers, read ${n}`);
  return { values, end: i + 1 };
}

function read(file: string): Snapshot {
  const buf = fs.readFileSync(file);
  const nodesAt = buf.indexOf('"nodes":[');
  const header = JSON.parse(`${buf.toString('utf8', 0, nodesAt).trim().replace(/,$/, '')}}`) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] }; node_count: number; edge_count: number };
  };
  const meta = header.snapshot.meta;
  const nodes = numbersFrom(buf, nodesAt + 9, header.snapshot.node_count * meta.node_fields.length);
  const edgesAt = buf.indexOf('"edges":[', nodes.end);
  const edges = numbersFrom(buf, edgesAt + 9, header.snapshot.edge_count * meta.edge_fields.length);
  const stringsAt = buf.indexOf('"strings":[', edges.end);
  const strings: string[] = [];
  let i = stringsAt + 11;
  for (;;) {
    while (buf[i] !== 34 && buf[i] !== 93) i++;
    if (buf[i] === 93) break;
    const s = i;
    i++;
    while (buf[i] !== 34) i += buf[i] === 92 ? 2 : 1;
    strings.push(JSON.parse(buf.toString('utf8', s, i + 1)) as string);
    i++;
  }
  return { nodeFields: meta.node_fields, nodeTypes: meta.node_types[0], edgeFields: meta.edge_fields, edgeTypes: meta.edge_types[0], nodes: nodes.values, edges: edges.values, strings };
}

function main(): void {
  const args = process.argv.slice(2);
  const minMb = Number(args[args.indexOf('--min') + 1] ?? 3) || 3;
  const maxDepth = args.includes('--depth') ? Number(args[args.indexOf('--depth') + 1]) : 12;
  const snap = read(args[0]);
  const NF = snap.nodeFields.length;
  const EF = snap.edgeFields.length;
  const T = snap.nodeFields.indexOf('type');
  const NAME = snap.nodeFields.indexOf('name');
  const SIZE = snap.nodeFields.indexOf('self_size');
  const EC = snap.nodeFields.indexOf('edge_count');
  const ET = snap.edgeFields.indexOf('type');
  const EN = snap.edgeFields.indexOf('name_or_index');
  const TO = snap.edgeFields.indexOf('to_node');
  const weak = snap.edgeTypes.indexOf('weak');
  const { nodes, edges, strings } = snap;
  const n = nodes.length / NF;
  const firstEdge = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) firstEdge[v + 1] = firstEdge[v] + nodes[v * NF + EC] * EF;
  const typeOf = (v: number) => snap.nodeTypes[nodes[v * NF + T]];
  const nameOf = (v: number) => strings[nodes[v * NF + NAME]];
  const sizeOf = (v: number) => nodes[v * NF + SIZE];
  const edgeName = (e: number) => {
    const t = snap.edgeTypes[edges[e + ET]];
    const x = edges[e + EN];
    return t === 'element' || t === 'hidden' ? `[${x}]` : `${t === 'property' ? '.' : `(${t}) `}${strings[x]}`;
  };

  // self sizes by type and constructor
  const bySelf = new Map<string, { size: number; count: number }>();
  let total = 0;
  for (let v = 0; v < n; v++) {
    const t = typeOf(v);
    const key = t === 'object' || t === 'closure' || t === 'native' ? `${t} ${nameOf(v)}` : t === 'hidden' || t === 'code' || t === 'array' ? `${t} ${nameOf(v).slice(0, 40)}` : t;
    const e = bySelf.get(key) ?? { size: 0, count: 0 };
    e.size += sizeOf(v);
    e.count++;
    bySelf.set(key, e);
    total += sizeOf(v);
  }
  console.log(`${n} nodes, ${edges.length / EF} edges, ${(total / 1048576).toFixed(1)} MB self size in all`);
  console.log('self size by type/constructor:');
  for (const [k, e] of [...bySelf].sort((a, b) => b[1].size - a[1].size).slice(0, 45)) console.log(`  ${(e.size / 1048576).toFixed(1).padStart(7)} MB ${String(e.count).padStart(9)}  ${k}`);

  // DFS postorder from the root over strong edges
  const post = new Int32Array(n).fill(-1);
  const order = new Uint32Array(n);
  const stack = new Uint32Array(n);
  const cursor = new Uint32Array(n);
  const seen = new Uint8Array(n);
  let sp = 0;
  let count = 0;
  stack[sp++] = 0;
  seen[0] = 1;
  cursor[0] = firstEdge[0];
  while (sp > 0) {
    const v = stack[sp - 1];
    let pushed = false;
    while (cursor[v] < firstEdge[v + 1]) {
      const e = cursor[v];
      cursor[v] += EF;
      if (edges[e + ET] === weak) continue;
      const w = edges[e + TO] / NF;
      if (seen[w]) continue;
      seen[w] = 1;
      cursor[w] = firstEdge[w];
      stack[sp++] = w;
      pushed = true;
      break;
    }
    if (!pushed) {
      sp--;
      post[v] = count;
      order[count++] = v;
    }
  }
  // predecessors (reachable, strong)
  const predCount = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) {
    if (post[v] < 0) continue;
    for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) if (edges[e + ET] !== weak) predCount[edges[e + TO] / NF + 1]++;
  }
  for (let v = 0; v < n; v++) predCount[v + 1] += predCount[v];
  const preds = new Uint32Array(predCount[n]);
  const fill = predCount.slice(0, n);
  for (let v = 0; v < n; v++) {
    if (post[v] < 0) continue;
    for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) if (edges[e + ET] !== weak) preds[fill[edges[e + TO] / NF]++] = v;
  }
  // Cooper, Harvey, Kennedy: idom by postorder numbers
  const UNDEF = -1;
  const idom = new Int32Array(count).fill(UNDEF);
  const root = post[0];
  idom[root] = root;
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = count - 2; k >= 0; k--) {
      const v = order[k];
      let next = UNDEF;
      for (let p = predCount[v]; p < predCount[v + 1]; p++) {
        let a = post[preds[p]];
        if (idom[a] === UNDEF) continue;
        if (next === UNDEF) {
          next = a;
          continue;
        }
        let b = next;
        while (a !== b) {
          while (a < b) a = idom[a];
          while (b < a) b = idom[b];
        }
        next = a;
      }
      if (next !== UNDEF && idom[k] !== next) {
        idom[k] = next;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(count);
  for (let k = 0; k < count; k++) retained[k] += sizeOf(order[k]);
  for (let k = 0; k < count; k++) if (k !== root) retained[idom[k]] += retained[k];
  console.log(`reachable ${count} nodes, retained by the root ${(retained[root] / 1048576).toFixed(1)} MB`);
  // dominator tree children
  const kids = new Map<number, number[]>();
  const minBytes = minMb * 1048576;
  for (let k = 0; k < count; k++) {
    if (k === root || retained[k] < minBytes) continue;
    const list = kids.get(idom[k]) ?? [];
    list.push(k);
    kids.set(idom[k], list);
  }
  const via = (parent: number, child: number) => {
    for (let e = firstEdge[parent]; e < firstEdge[parent + 1]; e += EF) if (edges[e + TO] / NF === child) return edgeName(e);
    // reached through objects it dominates: the child's first retainer's edge
    for (let p = predCount[child]; p < predCount[child + 1]; p++) {
      const q = preds[p];
      for (let e = firstEdge[q]; e < firstEdge[q + 1]; e += EF) if (edges[e + TO] / NF === child) return `… ${nameOf(q).slice(0, 30)}${edgeName(e)}`;
    }
    return '?';
  };
  const show = (k: number, depth: number) => {
    const list = (kids.get(k) ?? []).sort((a, b) => retained[b] - retained[a]);
    for (const c of list) {
      const v = order[c];
      const name = nameOf(v).replace(/\s+/g, ' ').slice(0, 60);
      console.log(`${'  '.repeat(depth)}${(retained[c] / 1048576).toFixed(1)} MB ${via(order[k], v)} → ${typeOf(v)} ${name} (self ${sizeOf(v)})`);
      if (depth < maxDepth) show(c, depth + 1);
    }
  };
  show(root, 0);
  // sliced strings and the parents they keep
  let sliced = 0;
  const parents = new Set<number>();
  for (let v = 0; v < n; v++) {
    if (typeOf(v) !== 'sliced string' || post[v] < 0) continue;
    sliced++;
    for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) if (strings[edges[e + EN]] === 'parent') parents.add(edges[e + TO] / NF);
  }
  let parentBytes = 0;
  for (const p of parents) parentBytes += sizeOf(p);
  console.log(`sliced strings: ${sliced}, their ${parents.size} parents ${(parentBytes / 1048576).toFixed(1)} MB`);
}

main();
