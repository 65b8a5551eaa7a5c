/** A few direct API calls for set-up and waiting (the browser does the real journey). */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    path: string,
  ) {
    super(`${path} → ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
  }
}

export class Api {
  token?: string;
  constructor(readonly base: string) {}

  async call<T = any>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep text */
    }
    if (!res.ok) throw new HttpError(res.status, body, path);
    return body as T;
  }

  async login(login: string, password: string): Promise<this> {
    const r = await this.call<{ access_token: string }>('/api/auth/login', {
      body: { login, password },
    });
    this.token = r.access_token;
    return this;
  }
}
