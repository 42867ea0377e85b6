import { mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildPlayground, WEB_DIST, WEB_ROOT } from '../../scripts/build-web.js';

const LOCK = path.join(WEB_ROOT, '.build-lock');
const SOURCES = [
  path.join(WEB_ROOT, 'src'),
  path.join(WEB_ROOT, 'index.html'),
  path.resolve(WEB_ROOT, '../scripts/build-web.ts'),
];

function newestMtime(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

function isFresh(): boolean {
  try {
    return statSync(path.join(WEB_DIST, 'index.html')).mtimeMs >= Math.max(...SOURCES.map(newestMtime));
  } catch {
    return false;
  }
}

/**
 * Builds web/ into web/dist/ when it is missing or older than its sources, so the browser tests pass on a clean clone
 * and never test a stale bundle. Test files run in parallel: a lock folder lets one build while the others wait.
 */
export async function ensurePlaygroundBuilt(): Promise<void> {
  for (;;) {
    if (isFresh()) return;
    try {
      mkdirSync(LOCK);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      if (!isFresh()) {
        // Built beside web/dist and swapped in whole: no server of another test file ever sees half a build.
        const fresh = path.join(WEB_ROOT, `.dist-${process.pid}`);
        const old = path.join(WEB_ROOT, `.dist-old-${process.pid}`);
        await buildPlayground({ outDir: fresh, quiet: true });
        rmSync(old, { recursive: true, force: true });
        try {
          renameSync(WEB_DIST, old);
        } catch {
          // No earlier build.
        }
        renameSync(fresh, WEB_DIST);
        rmSync(old, { recursive: true, force: true });
      }
      return;
    } finally {
      rmdirSync(LOCK);
    }
  }
}
