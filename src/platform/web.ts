/**
 * Serves the built web app (web/dist, made by `npm run build:web`) from WSOPTV itself: no CDN.
 * Files with a content hash in their name are cached for a year; index.html never is. Any GET
 * that is not an API, docs or health path and matches no file gets index.html, so the app's
 * own routes (/watch/…, /admin, …) survive a reload.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { setNotFoundFallback } from './http.ts';

export const WEB_DIST = resolve(import.meta.dirname, '../../web/dist');

const NOT_APP = /^\/(api|docs|health|metrics)(\/|$|\?)/;

export async function serveWebApp(app: FastifyInstance, root = WEB_DIST): Promise<boolean> {
  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'web app not built: run `npm run build:web` (the API works without it)');
    return false;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    cacheControl: false,
    index: false,
    setHeaders: (res, path) => {
      res.setHeader(
        'Cache-Control',
        /\/assets\//.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  // `wildcard: false` registers one route per file present at start; everything else that is
  // an app path falls through to index.html here.
  setNotFoundFallback(app, (req, reply) => {
    if (req.method !== 'GET' || NOT_APP.test(req.url)) return false;
    void reply.header('Cache-Control', 'no-cache').type('text/html').sendFile('index.html');
    return true;
  });
  return true;
}
