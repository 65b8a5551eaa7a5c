/**
 * The HTTP server every block mounts its routes on. Routes declare zod schemas for what they
 * accept and return; the same schemas validate requests and feed the OpenAPI description
 * served at /docs. Every error leaves as `{ error: { code, message, correlation_id } }` with a
 * 4xx for bad input; only a real fault answers 5xx.
 */
import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  hasZodFastifySchemaValidationErrors,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { BlockError } from './errors.ts';

const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type HttpServer = FastifyInstance;

export interface HttpServerOptions {
  logger: Logger;
  bodyLimitBytes?: number;
  trustProxy?: boolean;
  title?: string;
  version?: string;
}

export async function createHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: opts.logger as unknown as FastifyBaseLogger,
    bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024,
    trustProxy: opts.trustProxy ?? false,
    // Our own onResponse hook logs one line per request; the id label matches the bus logs.
    logController: new LogController({
      requestIdLogLabel: 'correlation_id',
      disableRequestLogging: true,
    }),
    genReqId: (req) => {
      const given = req.headers[CORRELATION_HEADER];
      return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    clientErrorHandler: answerClientError,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: { info: { title: opts.title ?? 'WSOPTV API', version: opts.version ?? '0.0.0' } },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', async (req, reply) => {
    reply.header(CORRELATION_HEADER, req.id);
    // A NUL never belongs in WSOPTV's text, and PostgreSQL refuses it in any text value: caught
    // here, it is a clear 400 instead of a database error deep inside a block.
    if (req.url.includes('%00')) throw nulRefused('address');
  });
  // The stock JSON parser (with its prototype-poisoning checks), then the same NUL rule for bodies.
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    void parseJson(req, body as string, (err, value) => {
      if (err) return done(err, undefined);
      if (containsNul(value)) return done(nulRefused('request body'), undefined);
      done(null, value);
    });
  });
  app.addHook('onResponse', async (req, reply) => {
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    req.log[level](
      {
        method: req.method,
        url: redactQuery(req.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  app.setNotFoundHandler((req, reply) => {
    const fallback = notFoundFallbacks.get(app);
    if (fallback?.(req, reply)) return;
    reply
      .code(404)
      .send(errorBody('NOT_FOUND', `no route for ${req.method} ${req.url.split('?')[0]}`, req.id));
  });

  app.setErrorHandler((err: FastifyError | BlockError | Error, req, reply) => {
    if (err instanceof BlockError) {
      if (err.status >= 500) req.log.error({ err, code: err.code }, 'request failed');
      return reply.code(err.status).send(errorBody(err.code, err.message, req.id, err.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      // The guard's own type does not resolve for the linter; these are the fields used.
      const issues = err.validation as ReadonlyArray<{ instancePath: string; message?: string }>;
      const fields = issues.map(
        (v) =>
          `${v.instancePath.replace(/^\//, '').replace(/\//g, '.') || (err.validationContext ?? 'request')}: ${v.message}`,
      );
      return reply
        .code(400)
        .send(
          errorBody(
            'VALIDATION_FAILED',
            `invalid ${err.validationContext ?? 'request'}: ${fields.join('; ')}`,
            req.id,
          ),
        );
    }
    const fe = err as FastifyError;
    if (
      fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      (fe.statusCode === 400 && fe instanceof SyntaxError)
    ) {
      return reply
        .code(400)
        .send(errorBody('INVALID_JSON', 'the request body is not valid JSON', req.id));
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code =
        fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'PAYLOAD_TOO_LARGE'
          : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : 'BAD_REQUEST';
      return reply.code(fe.statusCode).send(errorBody(code, fe.message, req.id));
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('INTERNAL', 'internal error', req.id));
  });
  return app;
}

function nulRefused(where: string): BlockError {
  return new BlockError(
    'INVALID_CHARACTERS',
    `the ${where} contains a NUL character, which no field accepts`,
    { status: 400 },
  );
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value))
    if (k.includes('\u0000') || containsNul(v)) return true;
  return false;
}

/**
 * A request the HTTP parser itself refuses (headers over 16 KiB, a broken request line or
 * header, a bad chunked body, a header timeout) never reaches a route: Node hands us the socket.
 * Fastify's default answer omits `Connection: close` and then destroys the socket, so a
 * keep-alive client — the gateway's proxy above all — may send its next request on a connection
 * that is already gone and report an upstream failure for an innocent request. We answer in the
 * platform's error shape and say the connection closes.
 */
function answerClientError(
  this: FastifyInstance,
  err: NodeJS.ErrnoException,
  socket: import('node:net').Socket,
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'the request headers are too large']
        : [400, 'BAD_REQUEST', 'the request is not valid HTTP'];
  this.log.debug({ err: { code: err.code, message: err.message } }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(errorBody(code, message, randomUUID()));
    socket.write(
      `HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Signed media tokens and other credentials that may sit in a query string never reach the log. */
const SECRET_PARAMS = /([?&](?:st|token|access_token|refresh_token|sig)=)[^&#]*/gi;

export function redactQuery(url: string): string {
  return url.includes('?') ? url.replace(SECRET_PARAMS, '$1[redacted]') : url;
}

const notFoundFallbacks = new WeakMap<
  FastifyInstance,
  (req: FastifyRequest, reply: FastifyReply) => boolean
>();

/**
 * Lets a plugin answer requests no route matched (the web app's client-side routes); return true
 * when handled.
 */
export function setNotFoundFallback(
  app: FastifyInstance,
  fallback: (req: FastifyRequest, reply: FastifyReply) => boolean,
): void {
  notFoundFallbacks.set(app, fallback);
}

export function errorBody(code: string, message: string, correlationId: string, details?: unknown) {
  return {
    error: {
      code,
      message,
      correlation_id: correlationId,
      ...(details === undefined ? {} : { details }),
    },
  };
}
