/**
 * Garbage for the bus and for the HTTP API.
 *
 * Bus: frames PUBLISHed straight into Redis on the deployment's channels, as an attacker or a
 * broken client on the same Redis could: unsigned envelopes, wrong or malformed signatures, and
 * correctly signed frames around text that is not JSON, JSON that is not an envelope, and
 * envelopes whose payload is wrong for their channel. Never a well-formed, correctly signed
 * message that would make a block act: the flood must change nothing.
 *
 * HTTP: requests no client of ours sends: broken JSON, wrong content types, nonsense and
 * overlong Range headers, overlong values, path tricks, NUL bytes, huge numbers, broken request
 * lines. Every one must get a 4xx (or a harmless 2xx/3xx), never a 5xx.
 */
import { randomBytes } from 'node:crypto';
import { FrameSigner } from '../../src/orchestration/bus/signing.ts';

// ── bus ─────────────────────────────────────────────────────────────────────────────────────

export interface BusFrame {
  channel: string;
  kind: string;
  frame: string;
}

const iso = () => new Date().toISOString();
const envelope = (fields: Record<string, unknown>) => ({
  source_block: 'chaos',
  target_block: null,
  event_type: 'x',
  payload: {},
  correlation_id: 'chaos-' + randomBytes(4).toString('hex'),
  timestamp: iso(),
  ...fields,
});

/**
 * Frames for one channel, cycling through every kind; `event` is the event_type the channel
 * carries.
 */
function framesFor(channel: string, event: string, signer: FrameSigner, i: number): BusFrame {
  const good = JSON.stringify(envelope({ event_type: event, payload: { content_id: 'nope' } }));
  const kinds: Array<[string, () => string]> = [
    ['unsigned_envelope', () => good],
    ['wrong_hmac', () => randomBytes(32).toString('hex') + '.' + good],
    ['non_hex_signature', () => 'zz'.repeat(32) + '.' + good],
    ['truncated_signature', () => randomBytes(8).toString('hex') + '.' + good],
    ['empty_frame', () => ''],
    ['signature_only', () => randomBytes(32).toString('hex') + '.'],
    [
      'signed_not_json',
      () => signer.sign('{"source_block": "chaos", ' + randomBytes(6).toString('hex')),
    ],
    ['signed_json_array', () => signer.sign('[1,2,3]')],
    ['signed_json_null', () => signer.sign('null')],
    ['signed_json_string', () => signer.sign('"envelope"')],
    ['signed_empty_object', () => signer.sign('{}')],
    [
      'signed_missing_payload',
      () => signer.sign(JSON.stringify({ ...envelope({ event_type: event }), payload: undefined })),
    ],
    [
      'signed_bad_timestamp',
      () => signer.sign(JSON.stringify(envelope({ event_type: event, timestamp: 'yesterday' }))),
    ],
    [
      'signed_overlong_source',
      () =>
        signer.sign(
          JSON.stringify(envelope({ event_type: event, source_block: 'a'.repeat(5000) })),
        ),
    ],
    [
      'signed_numeric_fields',
      () => signer.sign(JSON.stringify(envelope({ event_type: 7, correlation_id: 1e308 }))),
    ],
    [
      'signed_bad_payload',
      () =>
        signer.sign(JSON.stringify(envelope({ event_type: event, payload: badPayload(event, i) }))),
    ],
    [
      'signed_wrong_event_type',
      () =>
        signer.sign(
          JSON.stringify(envelope({ event_type: 'no_such_event_' + (i % 7), payload: { x: 1 } })),
        ),
    ],
    [
      'signed_proto_pollution',
      () =>
        signer.sign(
          `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"source_block":"chaos","target_block":null,"event_type":"${event}","payload":{"__proto__":{"admin":true}},"correlation_id":"c","timestamp":"${iso()}"}`,
        ),
    ],
  ];
  const [kind, make] = kinds[i % kinds.length];
  return { channel, kind, frame: make() };
}

/** A payload the channel's receiver must refuse. */
function badPayload(event: string, i: number): unknown {
  switch (event) {
    case 'request':
      return [
        {},
        { id: 5 },
        { id: 'x', contract: 'auth:v1' },
        { id: 'x', contract: 'nope:v9', action: 'a', reply_to: 1 },
        'request',
      ][i % 5];
    case 'response':
      return [{}, { id: 9, ok: 'yes' }, { id: 'unknown-request', ok: 'maybe' }, null][i % 4];
    case 'node_heartbeat':
      return [
        {},
        { node_id: 5, blocks: [] },
        { node_id: 'ghost', blocks: 'all' },
        { node_id: null },
        'beat',
      ][i % 5];
    case 'block_unhealthy':
      return [{}, { block_id: 7 }, { block_id: 'auth', status: 'on fire' }][i % 3];
    default:
      return [{}, { content_id: 42 }, { title: null }, [], 'x'.repeat(1000)][i % 5];
  }
}

/**
 * `total` frames spread over the channels. Node channels get request/response garbage, the
 * heartbeat channel heartbeat garbage, the system channel system-event garbage, event channels
 * payloads that fail their event's schema.
 */
export function busFlood(
  namespace: string,
  secret: string,
  nodeIds: string[],
  events: string[],
  total: number,
): BusFrame[] {
  const signer = new FrameSigner(secret);
  const targets: Array<[string, string]> = [
    ...nodeIds.flatMap((n): Array<[string, string]> => [
      [`node.${n}`, 'request'],
      [`node.${n}`, 'response'],
    ]),
    ['heartbeat', 'node_heartbeat'],
    ['system', 'block_unhealthy'],
    ...events.map((e): [string, string] => [e, e]),
  ];
  const out: BusFrame[] = [];
  for (let i = 0; i < total; i++) {
    const [channel, event] = targets[i % targets.length];
    const f = framesFor(channel, event, signer, Math.floor(i / targets.length));
    out.push({ ...f, channel: `${namespace}:block:${f.channel}` });
  }
  return out;
}

// ── HTTP ────────────────────────────────────────────────────────────────────────────────────

export interface BadRequest {
  name: string;
  /** Sent with node:http (path verbatim). */
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sent byte for byte on a raw socket instead. */
  raw?: string;
}

export interface FloodContext {
  viewerToken: string;
  adminToken: string;
  contentId: string;
  /** `/api/stream/<id>?st=<token>` of a live playback. */
  mediaUrl: string;
}

const json = { 'content-type': 'application/json' };
const long = (n: number, c = 'a') => c.repeat(n);

/** The catalogue of bad requests; the flood cycles through it. */
export function badRequests(ctx: FloodContext): BadRequest[] {
  const v = { authorization: `Bearer ${ctx.viewerToken}` };
  const a = { authorization: `Bearer ${ctx.adminToken}` };
  const id = ctx.contentId;
  const st = new URL(ctx.mediaUrl, 'http://x').searchParams.get('st')!;
  const media = ctx.mediaUrl;
  const r: BadRequest[] = [
    // broken or unexpected bodies
    {
      name: 'login: truncated JSON',
      method: 'POST',
      path: '/api/auth/login',
      headers: json,
      body: '{"login": "adm',
    },
    {
      name: 'login: JSON array',
      method: 'POST',
      path: '/api/auth/login',
      headers: json,
      body: '[]',
    },
    {
      name: 'login: JSON null',
      method: 'POST',
      path: '/api/auth/login',
      headers: json,
      body: 'null',
    },
    {
      name: 'login: text/plain',
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'text/plain' },
      body: 'login=admin',
    },
    {
      name: 'login: form-encoded',
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'login=admin&password=x',
    },
    { name: 'login: no body', method: 'POST', path: '/api/auth/login', headers: json },
    {
      name: 'login: overlong login',
      method: 'POST',
      path: '/api/auth/login',
      headers: json,
      body: JSON.stringify({ login: long(100_000), password: 'x' }),
    },
    {
      name: 'login: numbers for strings',
      method: 'POST',
      path: '/api/auth/login',
      headers: json,
      body: '{"login": 1e309, "password": -0}',
    },
    {
      name: 'login: utf-16 charset',
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'application/json; charset=utf-16' },
      body: '{"login":5}',
    },
    {
      name: 'login: invalid UTF-8',
      method: 'POST',
      path: '/api/auth/login',
      headers: json,
      body: Buffer.from([0x7b, 0x22, 0x6c, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
    },
    {
      name: 'login: deeply nested',
      method: 'POST',
      path: '/api/auth/login',
      headers: json,
      body: '['.repeat(5000) + ']'.repeat(5000),
    },
    {
      name: 'login: over 1 MiB',
      method: 'POST',
      path: '/api/auth/login',
      headers: json,
      body: JSON.stringify({ login: long(1_100_000), password: 'x' }),
    },
    {
      name: 'register: overlong fields',
      method: 'POST',
      path: '/api/auth/register',
      headers: json,
      body: JSON.stringify({
        email: long(5000) + '@x.io',
        username: long(5000),
        password: long(5000),
      }),
    },
    {
      name: 'register: NUL in username',
      method: 'POST',
      path: '/api/auth/register',
      headers: json,
      body: JSON.stringify({ email: 'nul@x.io', username: 'a\u0000b', password: 'Aa1!aaaa' }),
    },
    {
      name: 'register: __proto__',
      method: 'POST',
      path: '/api/auth/register',
      headers: json,
      body: '{"__proto__": {"role": "admin"}, "email": "p@x.io"}',
    },
    {
      name: 'refresh: garbage token',
      method: 'POST',
      path: '/api/auth/refresh',
      headers: json,
      body: JSON.stringify({ refresh_token: long(10_000, '%') }),
    },
    {
      name: 'me: garbage bearer',
      method: 'GET',
      path: '/api/auth/me',
      headers: { authorization: `Bearer ${long(8000, 'x')}` },
    },
    {
      name: 'me: bearer with dots',
      method: 'GET',
      path: '/api/auth/me',
      headers: { authorization: 'Bearer ....' },
    },
    {
      name: 'me: basic auth',
      method: 'GET',
      path: '/api/auth/me',
      headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
    },
    {
      name: 'me: forged alg none JWT',
      method: 'GET',
      path: '/api/auth/me',
      headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwidHlwIjoiYWNjZXNzIn0.' },
    },
    // content
    {
      name: 'contents: bad JSON',
      method: 'POST',
      path: '/api/contents',
      headers: { ...a, ...json },
      body: '{"title": ',
    },
    {
      name: 'contents: unknown fields',
      method: 'POST',
      path: '/api/contents',
      headers: { ...a, ...json },
      body: JSON.stringify({ title: 't', catalog: 'c', media_path: 'x.mp4', evil: true }),
    },
    {
      name: 'contents: path escape',
      method: 'POST',
      path: '/api/contents',
      headers: { ...a, ...json },
      body: JSON.stringify({ title: 't', catalog: 'c', media_path: '../../etc/passwd' }),
    },
    {
      name: 'contents: absolute path',
      method: 'POST',
      path: '/api/contents',
      headers: { ...a, ...json },
      body: JSON.stringify({ title: 't', catalog: 'c', media_path: '/etc/passwd' }),
    },
    {
      name: 'contents: NUL in path',
      method: 'POST',
      path: '/api/contents',
      headers: { ...a, ...json },
      body: JSON.stringify({ title: 't', catalog: 'c', media_path: 'a\u0000.mp4' }),
    },
    {
      name: 'contents: huge numbers',
      method: 'POST',
      path: '/api/contents',
      headers: { ...a, ...json },
      body: '{"title":"t","catalog":"c","media_path":"Chaos/never.mp4","file_size":1e400,"duration_seconds":-1}',
    },
    {
      name: 'contents: overlong title',
      method: 'POST',
      path: '/api/contents',
      headers: { ...a, ...json },
      body: JSON.stringify({ title: long(200_000), catalog: 'c', media_path: 'Chaos/never2.mp4' }),
    },
    {
      name: 'contents: viewer posts',
      method: 'POST',
      path: '/api/contents',
      headers: { ...v, ...json },
      body: JSON.stringify({ title: 't', catalog: 'c', media_path: 'Chaos/never3.mp4' }),
    },
    {
      name: 'contents: patch garbage',
      method: 'PATCH',
      path: `/api/contents/${id}`,
      headers: { ...a, ...json },
      body: JSON.stringify({ duration_seconds: 'long', metadata: 'x' }),
    },
    {
      name: 'contents: patch oversize metadata',
      method: 'PATCH',
      path: `/api/contents/${id}`,
      headers: { ...a, ...json },
      body: JSON.stringify({ metadata: { blob: long(40_000) } }),
    },
    {
      name: 'contents: huge limit',
      method: 'GET',
      path: '/api/contents?limit=99999999999999999999999&offset=-1',
      headers: v,
    },
    {
      name: 'contents: NaN paging',
      method: 'GET',
      path: '/api/contents?limit=NaN&offset=Infinity',
      headers: v,
    },
    { name: 'contents: id with NUL', method: 'GET', path: '/api/contents/ab%00cd', headers: v },
    {
      name: 'contents: SQL id',
      method: 'GET',
      path: `/api/contents/${encodeURIComponent("1' OR '1'='1")}`,
      headers: v,
    },
    {
      name: 'contents: overlong id',
      method: 'GET',
      path: `/api/contents/${long(7000)}`,
      headers: v,
    },
    {
      name: 'contents: encoded traversal',
      method: 'GET',
      path: '/api/contents/..%2f..%2fetc%2fpasswd',
      headers: v,
    },
    {
      name: 'contents: catalog array',
      method: 'GET',
      path: '/api/contents?catalog=a&catalog=b&catalog[]=c',
      headers: v,
    },
    {
      name: 'progress: bad JSON',
      method: 'PUT',
      path: `/api/progress/${id}`,
      headers: { ...v, ...json },
      body: '{"position_seconds": }',
    },
    {
      name: 'progress: huge numbers',
      method: 'PUT',
      path: `/api/progress/${id}`,
      headers: { ...v, ...json },
      body: '{"position_seconds": 1e400, "duration_seconds": 1e400}',
    },
    {
      name: 'progress: negative',
      method: 'PUT',
      path: `/api/progress/${id}`,
      headers: { ...v, ...json },
      body: '{"position_seconds": -5, "duration_seconds": -1}',
    },
    {
      name: 'progress: strings',
      method: 'PUT',
      path: `/api/progress/${id}`,
      headers: { ...v, ...json },
      body: '{"position_seconds": "NaN", "duration_seconds": "Infinity"}',
    },
    {
      name: 'progress: unknown item',
      method: 'PUT',
      path: '/api/progress/00000000-0000-0000-0000-000000000000',
      headers: { ...v, ...json },
      body: '{"position_seconds": 1, "duration_seconds": 2}',
    },
    {
      name: 'progress: traversal id',
      method: 'PUT',
      path: '/api/progress/..%2f..%2fetc%2fpasswd',
      headers: { ...v, ...json },
      body: '{"position_seconds": 1, "duration_seconds": 2}',
    },
    {
      name: 'progress: __proto__ body',
      method: 'PUT',
      path: `/api/progress/${id}`,
      headers: { ...v, ...json },
      body: '{"__proto__": {"finished": true}, "position_seconds": 1}',
    },
    { name: 'home: no token', method: 'GET', path: '/api/home' },
    {
      name: 'home: POST',
      method: 'POST',
      path: '/api/home',
      headers: { ...v, ...json },
      body: '{}',
    },
    // search
    {
      name: 'search: overlong q',
      method: 'GET',
      path: `/api/search?q=${long(10_000)}`,
      headers: v,
    },
    { name: 'search: NUL q', method: 'GET', path: '/api/search?q=main%00event', headers: v },
    {
      name: 'search: bad percent-encoding',
      method: 'GET',
      path: '/api/search?q=%E0%A4%A&page=%ff',
      headers: v,
    },
    {
      name: 'search: huge page',
      method: 'GET',
      path: '/api/search?q=main&page=1e309&limit=-1',
      headers: v,
    },
    {
      name: 'search: NaN durations',
      method: 'GET',
      path: '/api/search?q=main&min_duration=NaN&max_duration=-Infinity',
      headers: v,
    },
    {
      name: 'search: regex-looking q',
      method: 'GET',
      path: `/api/search?q=${encodeURIComponent('(a+)+$.*[')}`,
      headers: v,
    },
    {
      name: 'search: SQL-looking q',
      method: 'GET',
      path: `/api/search?q=${encodeURIComponent("%' OR 1=1; --")}`,
      headers: v,
    },
    {
      name: 'suggest: overlong q',
      method: 'GET',
      path: `/api/search/suggest?q=${long(5000)}&limit=1e9`,
      headers: v,
    },
    // stream
    { name: 'range: letters', method: 'GET', path: media, headers: { range: 'bytes=abc-def' } },
    { name: 'range: reversed', method: 'GET', path: media, headers: { range: 'bytes=500-100' } },
    {
      name: 'range: huge start',
      method: 'GET',
      path: media,
      headers: { range: 'bytes=99999999999999999999999999-' },
    },
    {
      name: 'range: huge suffix',
      method: 'GET',
      path: media,
      headers: { range: 'bytes=-99999999999999999999999999' },
    },
    { name: 'range: zero suffix', method: 'GET', path: media, headers: { range: 'bytes=-0' } },
    { name: 'range: negative', method: 'GET', path: media, headers: { range: 'bytes=-5-10' } },
    { name: 'range: other unit', method: 'GET', path: media, headers: { range: 'items=0-10' } },
    { name: 'range: empty', method: 'GET', path: media, headers: { range: 'bytes=' } },
    {
      name: 'range: 2000 ranges',
      method: 'GET',
      path: media,
      headers: { range: 'bytes=' + Array.from({ length: 2000 }, (_, i) => `${i}-${i}`).join(',') },
    },
    {
      name: 'range: overlong header',
      method: 'GET',
      path: media,
      headers: { range: 'bytes=' + long(12_000, '1') + '-' },
    },
    { name: 'range: float', method: 'GET', path: media, headers: { range: 'bytes=1.5-2.5' } },
    {
      name: 'range: bad if-range',
      method: 'GET',
      path: media,
      headers: { range: 'bytes=0-10', 'if-range': 'W/"' + long(500) },
    },
    {
      name: 'range: bad if-none-match',
      method: 'GET',
      path: media,
      headers: { 'if-none-match': long(3000, ',') },
    },
    {
      name: 'range: bad if-modified-since',
      method: 'GET',
      path: media,
      headers: { 'if-modified-since': 'the day before yesterday' },
    },
    {
      name: 'stream: tampered st',
      method: 'GET',
      path: `/api/stream/${id}?st=${st.slice(0, -4)}AAAA`,
    },
    { name: 'stream: overlong st', method: 'GET', path: `/api/stream/${id}?st=${long(6000)}` },
    {
      name: 'stream: st for other id',
      method: 'GET',
      path: `/api/stream/00000000-0000-0000-0000-000000000000?st=${st}`,
    },
    { name: 'stream: st twice', method: 'GET', path: `${media}&st=${st}` },
    {
      name: 'stream: encoded traversal',
      method: 'GET',
      path: '/api/stream/..%2f..%2fetc%2fpasswd',
      headers: v,
    },
    {
      name: 'stream: encoded traversal with st',
      method: 'GET',
      path: `/api/stream/..%2f..%2fetc%2fpasswd?st=${st}`,
    },
    {
      name: 'stream: double-encoded traversal',
      method: 'GET',
      path: '/api/stream/%252e%252e%252fetc%252fpasswd',
      headers: v,
    },
    {
      name: 'stream info: overlong id',
      method: 'GET',
      path: `/api/stream/${long(7000)}/info`,
      headers: v,
    },
    { name: 'stream info: NUL id', method: 'GET', path: '/api/stream/%00/info', headers: v },
    { name: 'stream stop: garbage st', method: 'POST', path: `/api/stream/${id}/stop?st=%ff%fe` },
    { name: 'stream: PUT', method: 'PUT', path: media, headers: json, body: '{}' },
    { name: 'stream: DELETE', method: 'DELETE', path: media },
    // thumbnails (public)
    {
      name: 'thumbnail: encoded traversal',
      method: 'GET',
      path: '/api/thumbnails/..%2f..%2fetc%2fpasswd.jpg',
    },
    { name: 'thumbnail: NUL', method: 'GET', path: '/api/thumbnails/%00.jpg' },
    { name: 'thumbnail: overlong', method: 'GET', path: `/api/thumbnails/${long(7000)}.jpg` },
    {
      name: 'thumbnail: backslashes',
      method: 'GET',
      path: '/api/thumbnails/..%5c..%5cwindows.jpg',
    },
    {
      name: 'thumbnail: bad if-none-match',
      method: 'GET',
      path: `/api/thumbnails/${id}.jpg`,
      headers: { 'if-none-match': long(4000, '"') },
    },
    // admin
    { name: 'admin: viewer reads status', method: 'GET', path: '/api/admin/status', headers: v },
    {
      name: 'admin: approve garbage id',
      method: 'POST',
      path: `/api/admin/users/${long(300, '%2e')}/approve`,
      headers: a,
    },
    {
      name: 'admin: approve unknown id',
      method: 'POST',
      path: '/api/admin/users/00000000-0000-0000-0000-000000000000/approve',
      headers: a,
    },
    {
      name: 'admin: reject overlong reason',
      method: 'POST',
      path: '/api/admin/users/00000000-0000-0000-0000-000000000000/reject',
      headers: { ...a, ...json },
      body: JSON.stringify({ reason: long(100_000) }),
    },
    {
      name: 'admin: suspend bad JSON',
      method: 'POST',
      path: '/api/admin/users/x/suspend',
      headers: { ...a, ...json },
      body: '{"reason": ',
    },
    {
      name: 'admin: jobs bad status',
      method: 'GET',
      path: '/api/admin/jobs?status=on-fire&limit=1e99&offset=-4',
      headers: a,
    },
    {
      name: 'admin: job overlong id',
      method: 'GET',
      path: `/api/admin/jobs/${long(7000)}`,
      headers: a,
    },
    {
      name: 'admin: retry unknown job',
      method: 'POST',
      path: '/api/admin/jobs/no-such-job/retry',
      headers: a,
    },
    {
      name: 'admin: users bad paging',
      method: 'GET',
      path: '/api/admin/users?status=x&page=-1&limit=0',
      headers: a,
    },
    {
      name: 'admin: audit huge page',
      method: 'GET',
      path: '/api/admin/audit?page=99999999999999999999',
      headers: a,
    },
    {
      name: 'admin: scan with body',
      method: 'POST',
      path: '/api/admin/library/scan',
      headers: { ...v, ...json },
      body: '{"evil": true}',
    },
    // the orchestrator's own routes and unknown routes
    { name: 'unknown route', method: 'GET', path: '/api/does-not-exist' },
    { name: 'root traversal', method: 'GET', path: '/%2e%2e/%2e%2e/etc/passwd' },
    { name: 'blocks: POST', method: 'POST', path: '/api/blocks', headers: json, body: '{}' },
    { name: 'health: query junk', method: 'GET', path: `/health?${long(3000, '&')}` },
    { name: 'metrics: TRACE-ish method', method: 'OPTIONS', path: '/metrics' },
    { name: 'overlong URL', method: 'GET', path: `/api/home?x=${long(20_000)}`, headers: v },
    {
      name: 'overlong header',
      method: 'GET',
      path: '/api/home',
      headers: { ...v, 'x-junk': long(20_000) },
    },
    {
      name: 'bad correlation id',
      method: 'GET',
      path: '/api/home',
      headers: { ...v, 'x-correlation-id': long(400, '\u00e9') },
    },
    {
      name: 'bad content-length body on GET',
      method: 'GET',
      path: '/api/home',
      headers: { ...v, ...json },
      body: '{"x": 1}',
    },
    // raw socket: what no HTTP client would send
    {
      name: 'raw: literal ../ in thumbnail path',
      raw: 'GET /api/thumbnails/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    },
    {
      name: 'raw: literal ../ in stream path',
      raw: `GET /api/stream/../../../etc/passwd?st=${st} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    },
    {
      name: 'raw: NUL in path',
      raw: 'GET /api/home\u0000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    },
    {
      name: 'raw: NUL in header',
      raw: `GET /api/home HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ab\u0000cd\r\nConnection: close\r\n\r\n`,
    },
    {
      name: 'raw: space in path',
      raw: 'GET /api/contents/a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    },
    { name: 'raw: garbage request line', raw: 'BLAH\r\n\r\n' },
    { name: 'raw: HTTP/0.9', raw: 'GET /\r\n\r\n' },
    { name: 'raw: bad version', raw: 'GET /health HTTP/9.9\r\nHost: x\r\n\r\n' },
    {
      name: 'raw: negative content-length',
      raw: 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\nConnection: close\r\n\r\n{}',
    },
    {
      name: 'raw: two content-lengths',
      raw: 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 30\r\nConnection: close\r\n\r\n{}',
    },
    {
      name: 'raw: bad chunked body',
      raw: 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    },
    {
      name: 'raw: header without colon',
      raw: 'GET /health HTTP/1.1\r\nHost: x\r\nthis is not a header\r\nConnection: close\r\n\r\n',
    },
    {
      name: 'raw: absolute-form target',
      raw: 'GET http://evil.example/api/home HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    },
    {
      name: 'raw: backslash traversal',
      raw: 'GET /api/thumbnails/..\\..\\..\\etc\\passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    },
  ];
  return r;
}
