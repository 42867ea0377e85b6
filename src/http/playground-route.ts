import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic, { type SetHeadersResponse } from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';

/**
 * Where `npm run build` puts the Playground (web/ built by Vite): two folders up from this file, whether it runs
 * from src/http/ (tsx) or dist/http/ (the build).
 */
export const DEFAULT_PLAYGROUND_DIR = path.resolve(import.meta.dirname, '../../web/dist');

export interface PlaygroundOptions {
  /** The built Playground; `/playground` answers 503 with how to build it when it holds no index.html. */
  directory: string;
  /** Whether the API needs a key (API_KEYS is set): the Playground asks for one before its first call. */
  authRequired: boolean;
}

/**
 * The page may talk to this server only, run only its own scripts, and show images from anywhere (an `image_url`
 * part may point at any host) or from the blob: URLs it makes of image files.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' blob: data: https: http:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function setHeaders(response: SetHeadersResponse, filePath: string): void {
  if (filePath.endsWith('.html')) {
    response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    response.setHeader('cache-control', 'no-cache');
  } else if (filePath.includes(`${path.sep}assets${path.sep}`)) {
    // Vite puts a hash of the content in every asset's name.
    response.setHeader('cache-control', 'public, max-age=31536000, immutable');
  }
}

/** The Playground at /playground (files under /playground/), and `/` sends a browser there. */
export async function registerPlayground(app: FastifyInstance, options: PlaygroundOptions): Promise<void> {
  const built = existsSync(path.join(options.directory, 'index.html'));
  app.get('/', async (_request, reply) => reply.redirect('/playground', 302));
  app.get('/playground/config.json', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { authRequired: options.authRequired };
  });
  if (!built) {
    app.get('/playground', async () => {
      throw errors.playgroundNotBuilt();
    });
    app.get('/playground/*', async () => {
      throw errors.playgroundNotBuilt();
    });
    return;
  }
  // Its own Cache-Control off: setHeaders decides (immutable hashed assets, a page checked on every visit).
  await app.register(fastifyStatic, {
    root: options.directory,
    prefix: '/playground/',
    cacheControl: false,
    setHeaders,
  });
  app.get('/playground', async (_request, reply) => reply.sendFile('index.html'));
}
