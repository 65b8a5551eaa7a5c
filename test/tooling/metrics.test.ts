// Runs scripts/metrics.ts as `npm run metrics` would and checks its
// contract: a final line holding one JSON object with the four metrics.
// Besides the real repository (whose figures change as blocks are written),
// a fixture tree with known answers pins down what each figure means.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const script = join(repoRoot, 'scripts/metrics.ts');
const KEYS = ['cross_block_imports', 'loc_per_block', 'fault_isolation', 'test_independence'];

const tempDirs: string[] = [];

function runMetrics(
  args: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: repoRoot, timeout: 20_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

function lastJsonLine(stdout: string): any {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

async function makeTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wsoptv-metrics-'));
  tempDirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    const file = join(root, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return root;
}

describe('npm run metrics (scripts/metrics.ts)', () => {
  afterAll(async () => {
    await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('prints a final JSON line with the four metrics for this repository', async () => {
    const { code, stdout, stderr } = await runMetrics();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = lastJsonLine(stdout);
    for (const key of KEYS) expect(summary).toHaveProperty(key);
    expect(typeof summary.cross_block_imports.count).toBe('number');
    expect(typeof summary.test_independence.count).toBe('number');
    expect(stdout).toContain('(a) Cross-block imports');
  });

  it('reports 0 blocks when src/blocks is missing', async () => {
    const root = await makeTree({ 'package.json': '{}\n' });
    const { code, stdout } = await runMetrics(['--root', root]);
    expect(code).toBe(0);
    expect(stdout).toContain('0 blocks');
    expect(stdout).toContain('not measured yet');
    const summary = lastJsonLine(stdout);
    expect(summary.loc_per_block.block_count).toBe(0);
    expect(summary.cross_block_imports.count).toBe(0);
    expect(summary.test_independence.count).toBe(0);
    expect(summary.fault_isolation.measured).toBe(false);
  });

  it('measures known figures on a fixture tree', async () => {
    const bigBlock = Array.from({ length: 501 }, (_, i) => `export const v${i} = ${i};`).join('\n');
    const root = await makeTree({
      // 4 code lines: comments, blank lines and comment-like text are not code,
      // but a multi-line template literal is.
      'src/blocks/a/index.ts': [
        '/**',
        ' * Block a.',
        ' */',
        "import { b } from '../b/index.ts'; // cross-block edge #1",
        '',
        '/* a block comment */',
        'export const a = `x',
        '// inside a string, so code',
        '${b}`;',
      ].join('\n'),
      // Reaches block b only through its own block's code: counted, not "direct".
      'src/blocks/a/tests/a.test.ts': "import { a } from '../index.ts';\nexport const t = a;\n",
      'src/blocks/b/index.ts': 'export const b = 1;\n',
      // Direct import of another block from a test: edge #2 and a dependent test.
      'src/blocks/b/tests/b.test.ts':
        "import { a } from '../../a/index.ts';\nexport const t = a;\n",
      // Over the 500-line target; its test helper imports nothing foreign.
      'src/blocks/c/index.ts': bigBlock,
      'src/blocks/c/tests/helper.ts': "import { v0 } from '../index.ts';\nexport const h = v0;\n",
      'test-results/chaos.json': JSON.stringify({
        generated_at: '2030-01-01T00:00:00Z',
        blocks: { a: { unaffected_success_rate: 0.99 }, b: { unaffected_success_rate: 1 } },
      }),
    });
    const { code, stdout } = await runMetrics(['--root', root]);
    expect(code).toBe(0);
    const summary = lastJsonLine(stdout);

    expect(summary.cross_block_imports.count).toBe(2);
    expect(summary.cross_block_imports.by_pair).toEqual({ 'a->b': 1, 'b->a': 1 });

    expect(summary.loc_per_block.block_count).toBe(3);
    expect(summary.loc_per_block.blocks.a).toMatchObject({
      source: 4,
      test: 2,
      over_target: false,
    });
    expect(summary.loc_per_block.blocks.b).toMatchObject({
      source: 1,
      test: 2,
      over_target: false,
    });
    expect(summary.loc_per_block.blocks.c).toMatchObject({
      source: 501,
      test: 2,
      over_target: true,
    });
    expect(summary.loc_per_block.over_target).toEqual(['c']);

    expect(summary.fault_isolation).toMatchObject({
      measured: true,
      generated_at: '2030-01-01T00:00:00Z',
      blocks: { a: { unaffected_success_rate: 0.99 }, b: { unaffected_success_rate: 1 } },
    });

    expect(summary.test_independence.block_test_files).toBe(3);
    expect(summary.test_independence.count).toBe(2);
    const byFile = Object.fromEntries(
      summary.test_independence.files.map(
        (f: { file: string; direct: boolean; reaches: string[] }) => [f.file, f],
      ),
    );
    expect(byFile['src/blocks/a/tests/a.test.ts']).toMatchObject({ direct: false, reaches: ['b'] });
    expect(byFile['src/blocks/b/tests/b.test.ts']).toMatchObject({ direct: true, reaches: ['a'] });
    expect(stdout).toMatch(/c\s+501 .*OVER by 1/);
  });

  it("reads the chaos run's extra figures and judges each block against the target", async () => {
    const root = await makeTree({
      'src/blocks/a/index.ts': 'export const a = 1;\n',
      'test-results/chaos.json': JSON.stringify({
        generated_at: '2030-01-02T00:00:00Z',
        passed: false,
        targets: { unaffected_success_rate: 0.999 },
        blocks: {
          auth: {
            unaffected_success_rate: 1,
            unaffected_requests: 312,
            detection_ms: 1222.4,
            recovery_ms: 4045,
            passed: true,
          },
          cache: {
            unaffected_success_rate: 0.99,
            unaffected_requests: 100,
            detection_ms: 'fast',
            passed: false,
          },
          worker: { unaffected_success_rate: null, unaffected_requests: 0 },
        },
      }),
    });
    const { code, stdout } = await runMetrics(['--root', root]);
    expect(code).toBe(0);
    const fi = lastJsonLine(stdout).fault_isolation;
    expect(fi).toMatchObject({
      measured: true,
      target: 0.999,
      run_passed: false,
      all_meet_target: false,
      unmeasured: ['worker'],
    });
    expect(fi.blocks.auth).toEqual({
      unaffected_success_rate: 1,
      unaffected_requests: 312,
      detection_ms: 1222.4,
      recovery_ms: 4045,
      passed: true,
      meets_target: true,
    });
    // A non-numeric optional figure is left out, never shown as a number.
    expect(fi.blocks.cache).toEqual({
      unaffected_success_rate: 0.99,
      unaffected_requests: 100,
      passed: false,
      meets_target: false,
    });
    expect(fi.blocks).not.toHaveProperty('worker');
    expect(fi.lowest).toEqual({ block: 'cache', unaffected_success_rate: 0.99 });
    expect(stdout).toMatch(/auth\s+1\s+312\s+1222\s+4045\s+ok/);
    expect(stdout).toMatch(/cache\s+0\.99\s+100\s+-\s+-\s+BELOW/);
    expect(stdout).toContain('not measured in that run: worker');
    expect(stdout).toContain('chaos run FAILED');
  });

  it('uses the 99.9 % target when the file names none', async () => {
    const root = await makeTree({
      'test-results/chaos.json': JSON.stringify({
        blocks: { a: { unaffected_success_rate: 0.9995 }, b: { unaffected_success_rate: 0.998 } },
      }),
    });
    const fi = lastJsonLine((await runMetrics(['--root', root])).stdout).fault_isolation;
    expect(fi.target).toBe(0.999);
    expect(fi.blocks.a.meets_target).toBe(true);
    expect(fi.blocks.b.meets_target).toBe(false);
    expect(fi.run_passed).toBeNull();
  });

  it('says "not measured yet" rather than guessing when chaos.json is malformed', async () => {
    const root = await makeTree({
      'src/blocks/a/index.ts': 'export const a = 1;\n',
      'test-results/chaos.json': JSON.stringify({
        blocks: { a: { unaffected_success_rate: 'high' } },
      }),
    });
    const { stdout } = await runMetrics(['--root', root]);
    expect(stdout).toContain('not measured yet');
    expect(lastJsonLine(stdout).fault_isolation.measured).toBe(false);
  });
});
