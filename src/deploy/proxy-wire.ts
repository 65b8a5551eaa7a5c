/**
 * What the gateway's proxy does to a message on its way through, apart from moving bytes: which
 * headers stop at the gateway and which it adds, which connection failures allow another
 * instance to take the request, and how a refused body is read to its end before the answer.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';

// RFC 9110 §7.6.1: these describe one connection, never the message, so they stop here.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
// Nothing was sent to the block yet: any instance may take the request instead.
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
// The connection died before an answer: only safe to send again when repeating changes nothing.
const RESET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a failed try may go to another instance: nothing reached the block, or repeating is
 * harmless.
 */
export function mayTryElsewhere(code: string, method: string): boolean {
  return CONNECT_ERRORS.has(code) || (RESET_ERRORS.has(code) && IDEMPOTENT.has(method));
}

export function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined && !HOP_BY_HOP.has(k) && !named.has(k)) out[k] = v;
  return out;
}

/**
 * The headers of the request to the block: the viewer's, less hop-by-hop ones, plus X-Forwarded-*.
 */
export function upstreamHeaders(
  req: FastifyRequest,
  hasBody: boolean,
  trustForwarded: boolean,
): OutgoingHttpHeaders {
  const headers = withoutHopByHop(req.raw.headers);
  // No body stream (Fastify reads none for GET/HEAD): announcing one anyway would leave the
  // block waiting for bytes it would then take from the next request on the pooled connection.
  if (!hasBody) {
    delete headers['content-length'];
    delete headers['transfer-encoding'];
  }
  const socket = req.raw.socket;
  // Only a gateway that itself trusts a proxy in front of it keeps the forwarded chain;
  // otherwise a viewer could choose their own address for the login rate limit.
  const client = socket.remoteAddress ?? '';
  const prior = trustForwarded ? req.headers['x-forwarded-for'] : undefined;
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  headers['x-forwarded-proto'] = req.protocol;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-correlation-id'] = req.id;

  return headers;
}

/**
 * Reads and discards the rest of a refused body before answering, so that a client still
 * sending it can read the 413 instead of meeting a closed socket — up to a bound, past which
 * the answer goes out at once and the connection closes.
 */
const DRAIN_LIMIT = 16 * 1024 * 1024;
export function drainThen(body: Readable, answer: () => void): void {
  let drained = 0;
  let answered = false;
  const once = () => {
    if (answered) return;
    answered = true;
    answer();
  };
  body.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) once();
  });
  body.once('end', once);
  body.once('error', once);
  body.once('close', once);
  body.resume();
}
