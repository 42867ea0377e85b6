/**
 * Builds the Playground (web/) with Vite into web/dist/, which the server serves at /playground. Run by
 * `npm run build`; the browser tests call `buildPlayground` when web/dist is missing or older than web/.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));
export const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));

export async function buildPlayground(options: { outDir?: string; quiet?: boolean } = {}): Promise<void> {
  await build({
    root: WEB_ROOT,
    // Every asset URL is absolute under /playground/, so the page works at /playground and /playground/ alike.
    base: '/playground/',
    configFile: false,
    logLevel: options.quiet ? 'warn' : 'info',
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    build: {
      outDir: options.outDir ?? WEB_DIST,
      emptyOutDir: true,
      // The SDK and highlight.js are most of the weight; one chunk each keeps the page's requests few and cacheable.
      chunkSizeWarningLimit: 1024,
      sourcemap: true,
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildPlayground();
