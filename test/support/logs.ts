/** A pino logger that keeps its JSON lines in memory so tests can read what was logged. */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/platform/logger.ts';

export function memoryLogger(level: 'info' | 'debug' | 'warn' = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: createLogger(level, stream), lines };
}
