/**
 * Runs a throw-away nginx (as this user, `daemon off`, everything under a temp prefix) on a free
 * loopback port with the `server` body given. Used by the X-Accel-Redirect test and by
 * `npm run bench:stream`. `nginxInstalled` is false when /usr/sbin/nginx (or $NGINX) is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';
export const nginxInstalled = spawnSync(NGINX, ['-v'], { stdio: 'ignore' }).status === 0;

export interface Nginx {
  port: number;
  prefix: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startNginx(
  serverBody: (port: number) => string,
  opts: { workers?: number } = {},
): Promise<Nginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'wsoptv-nginx-'));
  for (const d of ['logs', 'tmp']) mkdirSync(join(prefix, d));
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `
daemon off;
${process.getuid?.() === 0 ? 'user root root;' : ''}
worker_processes ${opts.workers ?? 1};
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  types { video/mp4 mp4; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
${serverBody(port)}
  }
}
`,
  );
  const child = spawn(NGINX, ['-c', conf, '-p', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Ready when the port accepts connections.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null)
      throw new Error(`nginx exited: ${stderr}${safeRead(join(prefix, 'logs', 'error.log'))}`);
    if (await accepts(port)) break;
    if (i > 200) throw new Error('nginx did not start within 2 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    port,
    prefix,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function safeRead(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}
