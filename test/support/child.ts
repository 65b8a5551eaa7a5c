/** Starts a test node in its own Node.js process and waits until it says READY. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildNode {
  proc: ChildProcess;
  nodeId: string;
  output: () => string;
  exited: Promise<number | null>;
}

export async function startChildNode(
  blocks: string[],
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<ChildNode> {
  const script = fileURLToPath(new URL('./node-host.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, TEST_BLOCKS: blocks.join(','), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const nodeId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child did not start in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const check = () => {
      const m = /READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before READY:\n${out}`));
    });
  });
  return { proc, nodeId, output: () => out, exited };
}
