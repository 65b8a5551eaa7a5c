/**
 * Mounts a block's HTTP routes so that they follow the block's life in this process:
 *  - while the block is stopped, its routes answer 503 BLOCK_UNAVAILABLE (never a 500 from a
 *    closed database);
 *  - when it is started again, the new instance's handlers take over the same routes.
 * Fastify's routes are fixed once the server is ready, so each route is registered once with a
 * handler that looks up the current one; a restart collects the new handlers by running the
 * block's `routes()` against a scratch Fastify instance that is never started.
 */
import Fastify, { type FastifyInstance, type RouteHandlerMethod, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { BlockRuntime, ContractId } from '../orchestration/index.ts';
import { BlockError } from '../orchestration/errors.ts';

type Routes = NonNullable<BlockRuntime<ContractId>['routes']>;

function keyOf(route: RouteOptions): string {
  const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
  return `${methods} ${route.url}`;
}

export class BlockRoutes {
  private readonly handlers = new Map<string, RouteHandlerMethod>();

  constructor(
    private readonly blockId: string,
    private readonly isServing: () => boolean,
  ) {}

  async mount(app: FastifyInstance, routes: Routes): Promise<void> {
    await app.register(
      async (scope) => {
        scope.addHook('onRoute', (route) => {
          const key = keyOf(route);
          this.handlers.set(key, route.handler);
          const current = this.handlers;
          route.handler = function (req, reply) {
            return current.get(key)!.call(this, req, reply);
          };
        });
        scope.addHook('onRequest', async () => {
          if (!this.isServing()) {
            throw new BlockError(
              'BLOCK_UNAVAILABLE',
              `the ${this.blockId} service is not running; please try again shortly`,
              { status: 503, retryable: true },
            );
          }
        });
        await routes(scope);
      },
      { prefix: '/api' },
    );
  }

  /** Points the mounted routes at a new instance's handlers (after the block was restarted). */
  async rebind(routes: Routes): Promise<void> {
    const scratch = Fastify({ logger: false });
    scratch.setValidatorCompiler(validatorCompiler);
    scratch.setSerializerCompiler(serializerCompiler);
    const fresh = new Map<string, RouteHandlerMethod>();
    await scratch.register(
      async (scope) => {
        scope.addHook(
          'onRoute',
          (route) => void fresh.set(keyOf(route), route.handler as RouteHandlerMethod),
        );
        await routes(scope);
      },
      { prefix: '/api' },
    );
    await scratch.ready();
    await scratch.close();
    for (const [key, handler] of fresh) if (this.handlers.has(key)) this.handlers.set(key, handler);
  }
}
