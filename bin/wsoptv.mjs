#!/usr/bin/env node
// The `wsoptv` command: loads tsx (a dependency) so that Node runs the TypeScript sources
// directly, then hands over to src/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../src/cli.ts', import.meta.url).href);
process.exit(await runCli(process.argv.slice(2)));
