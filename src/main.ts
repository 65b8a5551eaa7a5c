/**
 * Entry point of `npm start`: `wsoptv start`, i.e. every block in this process on the embedded
 * defaults (in-memory bus, SQLite under ./data) unless REDIS_URL / DATABASE_URL say otherwise.
 * The other deployment shapes are in src/cli.ts and docs/deployment.md.
 */
import { runCli } from './cli.ts';

runCli(['start']).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
