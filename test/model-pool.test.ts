/**
 * `--jobs`: models made by the CLI's worker threads (server/src/cli/modelPool.ts) and handed
 * to the project must give exactly what the project gives when it parses every file itself
 * — the same models (value-flow facts included, deferred or not) and the same findings —
 * also past the project's value-flow budget (FLOW_FACTS_BYTES), where which files get facts
 * depends on the files before them in the run's order.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { FLOW_FACTS_BYTES, Project, languageOf, projectText } from '../server/src/engine/project';
import type { ModuleModel } from '../server/src/engine/model';
import { isOverBudget } from '../server/src/shared/budget';
import { HeadStart, extractModels, startWorkers, threadsFor, type PoolItem } from '../server/src/cli/modelPool';
import { extractModel } from '../server/src/cli/extractModel';
import { packModel, unpackSpans } from '../server/src/cli/modelTransfer';
import { compactModel } from '../server/src/engine/compact';
import { FIXTURES_ROOT } from './support/fixtures';

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) sourceFiles(full, out);
    else if (languageOf(full)) out.push(full);
  }
  return out;
}

/** A model as JSON, Maps as entry lists, value-flow facts read (deferred ones extracted). */
function dump(model: ModuleModel | undefined): string {
  return JSON.stringify({ ...model, flow: model?.flow }, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v));
}

function findingsOf(project: Project): string[] {
  return project.analyze().map((f) => JSON.stringify({ ...f, fixes: f.fixes.map((x) => x.title) }));
}

describe('model pool (--jobs)', function () {
  this.timeout(120_000);

  it('gives the models and findings of one thread, before and past the value-flow budget', async () => {
    const fixtures = sourceFiles(FIXTURES_ROOT);
    // padding: Python files of one long string each (few tokens, cheap to parse) that use
    // up the value-flow budget half way through the fixtures
    const padChars = 200_000;
    const pads = Math.ceil(FLOW_FACTS_BYTES / padChars) + 1;
    const texts = new Map<string, string>();
    const half = fixtures.length >> 1;
    for (const f of fixtures.slice(0, half)) texts.set(f, readFileSync(f, 'utf8'));
    for (let i = 0; i < pads; i++) texts.set(path.join(FIXTURES_ROOT, `pad_${i}.py`), `PAD = "${'x'.repeat(padChars)}"\n`);
    for (const f of fixtures.slice(half)) texts.set(f, readFileSync(f, 'utf8'));

    const one = await Project.create();
    for (const [f, t] of texts) one.updateFile(f, t);

    const items: PoolItem[] = [];
    for (const [file, raw] of texts) {
      const text = projectText(file, raw);
      if (!isOverBudget(text)) items.push({ file, text, lang: languageOf(file)! });
    }
    const pooled = await extractModels(items, 2);
    assert.ok(pooled.fromWorkers > 0, 'a worker made some of the models');
    assert.ok(pooled.fromWorkers < items.length, 'the main thread made some of the models');
    assert.equal(pooled.models.size, items.length);
    const two = await Project.create();
    for (const [f, t] of texts) two.updateFile(f, t, undefined, pooled.models.get(f));

    assert.deepEqual(findingsOf(two), findingsOf(one));
    for (const f of texts.keys()) assert.equal(dump(two.model(f)), dump(one.model(f)), path.relative(FIXTURES_ROOT, f));
  });

  it('takes over the files sent to a worker ahead (HeadStart), with the same models', async () => {
    const items: PoolItem[] = [];
    for (const file of sourceFiles(FIXTURES_ROOT)) {
      const text = projectText(file, readFileSync(file, 'utf8'));
      if (!isOverBudget(text)) items.push({ file, text, lang: languageOf(file)! });
    }
    const [worker] = startWorkers(1);
    assert.ok(worker);
    // some files sent ahead are not asked for later (a run may leave them out): they are ignored
    const ahead = items.filter((it, i) => it.lang === 'python' && i % 3 === 0);
    const asked = items.filter((_, i) => i % 5 !== 0);
    const head = new HeadStart(worker, ahead);
    const pooled = await extractModels(asked, 2, undefined, [worker], head);
    assert.equal(pooled.models.size, asked.length);
    assert.ok(pooled.fromWorkers > 0);
    for (const it of asked) {
      const got = await Project.create();
      got.updateFile(it.file, it.text, undefined, pooled.models.get(it.file));
      const own = await Project.create();
      own.updateFile(it.file, it.text);
      assert.equal(dump(got.model(it.file)), dump(own.model(it.file)), path.relative(FIXTURES_ROOT, it.file));
    }
  });

  it('hands back plain data: a structured clone of every fixture model equals it', () => {
    for (const file of sourceFiles(FIXTURES_ROOT)) {
      const { model } = extractModel(file, projectText(file, readFileSync(file, 'utf8')), languageOf(file)!);
      assert.deepStrictEqual(structuredClone(model), model, path.relative(FIXTURES_ROOT, file));
    }
  });

  it('packs a model for the trip (ranges as numbers) into what compacting it in place gives', () => {
    for (const file of sourceFiles(FIXTURES_ROOT)) {
      const text = projectText(file, readFileSync(file, 'utf8'));
      const lang = languageOf(file)!;
      const plain = extractModel(file, text, lang).model;
      compactModel(plain);
      const sent = extractModel(file, text, lang).model;
      const ranges = packModel(sent);
      const received = structuredClone({ sent, ranges }, { transfer: [ranges.buffer as ArrayBuffer] });
      compactModel(received.sent, false, unpackSpans(received.ranges));
      assert.equal(dump(received.sent), dump(plain), path.relative(FIXTURES_ROOT, file));
    }
  });

  it('starts a worker only for enough source', () => {
    assert.equal(threadsFor(1, 50_000_000), 1);
    assert.equal(threadsFor(8, 100_000), 1);
    assert.equal(threadsFor(2, 1_500_000), 2);
    assert.equal(threadsFor(2, 50_000_000), 2);
  });
});
