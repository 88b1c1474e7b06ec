// Preloaded by bench/table.ts (`node --require bench/thread-cpu.cjs dist/cli.js ...`): when the
// process exits, writes the CPU seconds of its main thread alone (utime + stime of
// /proc/self/task/PID/stat; worker threads and V8's helper threads are other tasks) to the
// file named by CROSSPROC_BENCH_THREAD_CPU. Linux only.
const fs = require('node:fs');

process.on('exit', () => {
  const out = process.env.CROSSPROC_BENCH_THREAD_CPU;
  if (!out) return;
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // the fields after the command name; utime and stime are fields 14 and 15, in clock ticks (100 a second)
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    fs.writeFileSync(out, String((Number(fields[11]) + Number(fields[12])) / 100));
  } catch {
    // not Linux: no figure
  }
});
