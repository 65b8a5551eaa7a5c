/**
 * The load generator of `npm run bench:stream`, run as its own process so that it does not
 * share an event loop (or a core, when the scheduler allows) with the server under test.
 *
 * It reads one JSON command per line on stdin and answers one JSON line per command on stdout:
 *   { urls, file, size, chunk, concurrency, warmupMs, durationMs }
 * `concurrency` loops, each on its own keep-alive connection (a fresh http.Agent per command,
 * maxSockets = concurrency), request random `chunk`-byte ranges for `durationMs` after a
 * warm-up and time each request to its last byte. Every 64th body is compared with the file.
 * The answer holds the counts, the latencies (ms) and the generator's own CPU time.
 */
import { openSync, readSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

export interface LoadCommand {
  urls: string[];
  file: string;
  size: number;
  chunk: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  bytes: number;
  seconds: number;
  errors: number;
  checked: number;
  statuses: Record<string, number>;
  latencies: number[];
  cpu_ms: number;
}

async function run(c: LoadCommand): Promise<LoadResult> {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: c.concurrency,
    maxFreeSockets: c.concurrency,
  });
  const fd = openSync(c.file, 'r');
  const expected = Buffer.allocUnsafe(c.chunk);
  const r: LoadResult = {
    requests: 0,
    bytes: 0,
    seconds: 0,
    errors: 0,
    checked: 0,
    statuses: {},
    latencies: [],
    cpu_ms: 0,
  };
  let measuring = false;
  let stop = false;

  const one = (url: string, start: number, verify: boolean) =>
    new Promise<void>((resolve) => {
      const end = start + c.chunk - 1;
      const t0 = performance.now();
      const failed = () => {
        if (measuring) r.errors++;
        resolve();
      };
      const req = request(url, { agent, headers: { range: `bytes=${start}-${end}` } }, (res) => {
        const parts: Buffer[] = [];
        let n = 0;
        res.on('data', (b: Buffer) => {
          n += b.length;
          if (verify) parts.push(b);
        });
        res.on('error', failed);
        res.on('end', () => {
          const ms = performance.now() - t0;
          const ok =
            res.statusCode === 206 &&
            n === c.chunk &&
            res.headers['content-range'] === `bytes ${start}-${end}/${c.size}`;
          if (verify && ok) {
            readSync(fd, expected, 0, c.chunk, start);
            if (!Buffer.concat(parts).equals(expected))
              throw new Error(`wrong bytes from ${url} at ${start}`);
            r.checked++;
          }
          if (measuring) {
            r.statuses[res.statusCode!] = (r.statuses[res.statusCode!] ?? 0) + 1;
            if (ok) {
              r.requests++;
              r.bytes += n;
              r.latencies.push(ms);
            } else r.errors++;
          }
          resolve();
        });
      });
      req.on('error', failed);
      req.end();
    });

  const loop = async (i: number) => {
    const url = c.urls[i % c.urls.length];
    for (let k = 0; !stop; k++)
      await one(url, Math.floor(Math.random() * (c.size - c.chunk + 1)), k % 64 === 0);
  };
  const loops = Array.from({ length: c.concurrency }, (_, i) => loop(i));
  await new Promise((res) => setTimeout(res, c.warmupMs));
  measuring = true;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await new Promise((res) => setTimeout(res, c.durationMs));
  measuring = false;
  const cpu = process.cpuUsage(cpu0);
  r.seconds = (performance.now() - t0) / 1000;
  r.cpu_ms = (cpu.user + cpu.system) / 1000;
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  return r;
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim())
    process.stdout.write(`${JSON.stringify(await run(JSON.parse(line) as LoadCommand))}\n`);
}
