/**
 * A small HTTP client for the chaos suite on node:http: keep-alive connections, a hard deadline
 * per request, the body read in full, and no URL normalisation (node:http sends the path as
 * given, so `/api/thumbnails/../..` really reaches the server). Never throws: a network error or
 * a missed deadline comes back as `status: 0` with the reason.
 */
import http from 'node:http';
import net from 'node:net';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Set when no HTTP answer arrived: connection refused/reset, deadline passed, … */
  error?: string;
  ms: number;
  json<T = any>(): T | undefined;
}

export interface HttpCall {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

const agents = new Map<string, http.Agent>();
function agentFor(key: string, maxSockets: number): http.Agent {
  let a = agents.get(key);
  if (!a) {
    a = new http.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 1000 });
    agents.set(key, a);
  }
  return a;
}

export function destroyAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

function parseJson(body: Buffer): any {
  try {
    return body.length ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the suite's callers pass: a bearer token and a JSON body, turned into headers and text here.
 */
export interface JsonCall {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export function jsonCall(init: JsonCall): HttpCall {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  return {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    timeoutMs: init.timeoutMs,
  };
}

/** `base` is `http://host:port`; `path` is sent verbatim. `pool` names a connection pool. */
export function request(
  base: string,
  path: string,
  call: HttpCall = {},
  pool = 'default',
  maxSockets = 16,
): Promise<HttpAnswer> {
  const u = new URL(base);
  const started = performance.now();
  const timeoutMs = call.timeoutMs ?? 5000;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (
      status: number,
      headers: http.IncomingHttpHeaders,
      body: Buffer,
      error?: string,
    ) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        status,
        headers,
        body,
        error,
        ms: performance.now() - started,
        json: () => parseJson(body),
      });
    };
    let req: http.ClientRequest;
    try {
      const headers: Record<string, string | number> = { ...call.headers };
      if (call.body !== undefined && headers['content-length'] === undefined)
        headers['content-length'] = Buffer.byteLength(call.body);
      req = http.request({
        host: u.hostname,
        port: Number(u.port),
        method: call.method ?? 'GET',
        path,
        headers,
        agent: agentFor(`${pool}|${u.host}`, maxSockets),
      });
    } catch (err) {
      // node:http refuses some paths/headers itself (unescaped characters, CR/LF): no request left.
      resolve({
        status: -1,
        headers: {},
        body: Buffer.alloc(0),
        error: `client refused: ${(err as Error).message}`,
        ms: 0,
        json: () => undefined,
      });
      return;
    }
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish(res.statusCode ?? 0, res.headers, Buffer.concat(chunks)));
      res.on('error', (err) => finish(0, res.headers, Buffer.concat(chunks), err.message));
      res.on('aborted', () => finish(0, res.headers, Buffer.concat(chunks), 'response aborted'));
    });
    req.on('error', (err) => finish(0, {}, Buffer.alloc(0), err.message));
    req.end(call.body);
  });
}

/**
 * Sends bytes exactly as given on a fresh connection and reads the status line of the answer
 * (or 0 when the server closed without one). For requests no HTTP client would send: NUL bytes,
 * spaces or raw `..` in the target, broken request lines.
 */
export function rawRequest(
  base: string,
  bytes: Buffer | string,
  timeoutMs = 5000,
): Promise<{ status: number; head: string; error?: string }> {
  const u = new URL(base);
  return new Promise((resolve) => {
    let data = '';
    let done = false;
    const sock = net.connect(Number(u.port), u.hostname);
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve({
        status: m ? Number(m[1]) : 0,
        head: data.split('\r\n\r\n')[0].slice(0, 500),
        error: m ? undefined : (error ?? 'closed without an answer'),
      });
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (c) => {
      data += c.toString('latin1');
      if (data.includes('\r\n\r\n')) finish();
    });
    sock.on('error', (err) => finish(err.message));
    sock.on('close', () => finish());
  });
}
