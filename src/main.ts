/**
 * Entry point: `npm start`. Runs WSOPTV on its embedded defaults (in-memory bus, SQLite under
 * ./data) unless REDIS_URL / DATABASE_URL say otherwise.
 */
import { loadConfig, ConfigError } from './platform/config.ts';
import { createLogger } from './platform/logger.ts';
import { buildApp } from './app/server.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let app;
  try {
    app = await buildApp(config, logger);
  } catch (err) {
    logger.fatal({ err }, `WSOPTV could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const url = await app.http.listen({ port: config.port, host: config.host });
  logger.info({ url, docs: `${url}/docs`, transport: app.orchestrator.bus.kind }, 'WSOPTV is listening');

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

void main();
