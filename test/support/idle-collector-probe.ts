/**
 * Run in a process of its own by test/idle-collector.test.ts (the collector exposes V8's
 * `gc` at run time, which a test worker's other tests should not inherit): three idle
 * pauses, with a heap that grows by 40 MB only before the third. Prints the count of full
 * (mark-compact) collections after each step, as JSON.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { IDLE_MS, IdleCollector } from '../../server/src/handlers/memory';

async function main(): Promise<void> {
  let majors = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
  });
  observer.observe({ entryTypes: ['gc'] });
  const pause = () => new Promise((resolve) => setTimeout(resolve, IDLE_MS + 1000));
  const collector = new IdleCollector();
  const counts: number[] = [];
  collector.touch();
  await pause();
  counts.push(majors);
  collector.touch();
  await pause();
  counts.push(majors);
  const kept: number[][] = [];
  for (let i = 0; i < 50; i++) kept.push(new Array<number>(100_000).fill(i + 0.5));
  await new Promise((resolve) => setTimeout(resolve, 100));
  counts.push(majors);
  collector.touch();
  await pause();
  counts.push(majors);
  observer.disconnect();
  collector.dispose();
  console.log(JSON.stringify({ counts, kept: kept.length }));
}

void main();
