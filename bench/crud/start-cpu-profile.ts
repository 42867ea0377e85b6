import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

/**
 * Preloaded into our server (via NODE_OPTIONS `--import`) when BENCH_CPU_PROF is set, because
 * Node 20 refuses `--cpu-prof` in NODE_OPTIONS. Writes `<pid>.cpuprofile` (Chrome DevTools format)
 * into BENCH_CPU_PROF when the process exits. The in-thread inspector session answers synchronously,
 * which is what lets the `exit` handler still collect the profile.
 */
const directory = process.env.BENCH_CPU_PROF;
if (directory) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 100 });
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      writeFileSync(path.join(directory, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
