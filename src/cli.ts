/**
 * The `wsoptv` command: one entry point for the three deployment shapes (docs/deployment.md).
 *
 *   wsoptv start [--blocks a,b]   host those blocks (all of them without --blocks)
 *   wsoptv gateway                host no block: web app, gateway routes, proxy to the blocks
 *   wsoptv supervise              every block in its own process plus a gateway, restarted on crash
 *   wsoptv help
 *
 * Exit codes: 0 after a clean stop, 1 when starting failed, 2 for a refused command line or
 * configuration (nothing was started).
 */
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from './app/config.ts';
import { createLogger } from './platform/logger.ts';
import { formatReady } from './deploy/ready-line.ts';
import { stopOnSignals } from './deploy/stop-on-signals.ts';
import { errorMessage } from './platform/errors.ts';

export const USAGE = `usage: wsoptv <command> [options]

commands:
  start [--blocks a,b]   host the named blocks in this process (every block without --blocks;
                         a subset needs REDIS_URL and WSOPTV_BUS_SECRET)
  gateway                host no block: the web app, /api/search and a proxy that sends every
                         other /api request to a process hosting its block (needs REDIS_URL)
  supervise              one process per block plus a gateway on PORT, restarted with backoff
                         when they crash (needs REDIS_URL and WSOPTV_BUS_SECRET)
  help                   this text

Settings come from the environment; see docs/deployment.md.`;

export type Command =
  | { name: 'start'; blocks?: string[] }
  | { name: 'gateway' }
  | { name: 'supervise' }
  | { name: 'help' };

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  const noOptions = () => {
    if (rest.length) throw new UsageError(`unknown option for ${name}: ${rest[0]}`);
  };
  switch (name) {
    case 'start': {
      let blocks: string[] | undefined;
      for (let i = 0; i < rest.length; i++) {
        const arg = rest[i];
        const value =
          arg === '--blocks'
            ? rest[++i]
            : arg.startsWith('--blocks=')
              ? arg.slice('--blocks='.length)
              : undefined;
        if (value === undefined)
          throw new UsageError(
            arg === '--blocks'
              ? '--blocks needs a comma-separated list of block ids'
              : `unknown option for start: ${arg}`,
          );
        blocks = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        if (!blocks.length) throw new UsageError('--blocks needs at least one block id');
      }
      return { name, blocks };
    }
    case 'gateway':
    case 'supervise':
      noOptions();
      return { name };
    case 'help':
    case '--help':
    case '-h':
      return { name: 'help' };
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command: ${name}`);
  }
}

async function supervise(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  if (!config.redisUrl) {
    console.error(
      'wsoptv supervise runs each block in its own process: it needs REDIS_URL and WSOPTV_BUS_SECRET',
    );
    return 2;
  }
  // Imported here: the other commands do not need it.
  const { Supervisor } = await import('./deploy/supervisor.ts');
  const logger = createLogger(config.logLevel);
  const supervisor = new Supervisor({ env: {}, port: config.port, host: config.host, logger });
  // Children get SIGTERM and 10 s before SIGKILL (supervisor.ts); the supervisor waits a bit
  // longer.
  stopOnSignals(logger, 'supervisor', () => supervisor.stop(), 20_000);
  try {
    await supervisor.start();
  } catch (err) {
    logger.fatal({ err }, `supervisor: the deployment could not start: ${errorMessage(err)}`);
    return 1;
  }
  const children = supervisor.children();
  process.stdout.write(
    `${formatReady({ url: supervisor.url, node_id: `supervisor-${process.pid}`, blocks: children.filter((c) => c.name !== 'gateway').map((c) => c.name), pid: process.pid })}\n`,
  );
  return new Promise<number>(() => {}); // until a signal
}

/** Runs a command; resolves with the exit code when the command ends on its own. */
export async function runCli(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`wsoptv: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.name === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command.name === 'supervise') return supervise();
  const { serve } = await import('./deploy/serve.ts');
  return serve(
    command.name === 'gateway' ? { kind: 'gateway' } : { kind: 'blocks', blocks: command.blocks },
  );
}

// Run when executed (bin/wsoptv.mjs, `node --import tsx src/cli.ts`), not when imported by a test.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
