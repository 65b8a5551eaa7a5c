// Proves that .dependency-cruiser.cjs really rejects boundary leaks: the
// real src/ tree may be clean simply because nobody has broken a rule yet,
// so we run the same config against small throw-away trees whose verdict
// we know in advance.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const depcruiseBin = join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

const tempDirs: string[] = [];

type Tree = Record<string, string>;

/** Writes a fake project (config and tsconfig copied from the repo) and returns its root. */
async function makeTree(files: Tree): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wsoptv-check-blocks-'));
  tempDirs.push(root);
  await cp(join(repoRoot, '.dependency-cruiser.cjs'), join(root, '.dependency-cruiser.cjs'));
  await cp(join(repoRoot, 'tsconfig.json'), join(root, 'tsconfig.json'));
  // A tiny local package, so "npm imports are allowed" is checked without
  // depending on whatever the real node_modules happens to contain.
  const base: Tree = {
    'package.json': JSON.stringify({
      name: 'fake',
      type: 'module',
      dependencies: { 'fake-pkg': '1.0.0' },
    }),
    'node_modules/fake-pkg/package.json': JSON.stringify({
      name: 'fake-pkg',
      version: '1.0.0',
      main: 'index.js',
    }),
    'node_modules/fake-pkg/index.js': 'module.exports = {};\n',
  };
  for (const [rel, text] of Object.entries({ ...base, ...files })) {
    const file = join(root, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return root;
}

/** Same invocation as `npm run check:blocks`, but in the fake tree. */
function checkBlocks(cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [depcruiseBin, 'src', '--config', '.dependency-cruiser.cjs'],
      { cwd, timeout: 15_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

// Everything a block is allowed to touch, so the clean case exercises each
// allowance rather than passing because it imports nothing.
const cleanTree: Tree = {
  'src/blocks/a/index.ts': [
    "import { readFileSync } from 'node:fs';",
    "import path from 'path';",
    "import fake from 'fake-pkg';",
    "import { helper } from './internal/helper.ts';",
    "import { log } from '../../platform/log.ts';",
    "import { publish } from '../../orchestration/index.ts';",
    "import type { Event } from '../../orchestration/contracts/events.ts';",
    'export const a = [readFileSync, path, fake, helper, log, publish];',
    'export type E = Event;',
  ].join('\n'),
  'src/blocks/a/internal/helper.ts': 'export const helper = 1;\n',
  'src/blocks/a/tests/a.test.ts': [
    "import { a } from '../index.ts';",
    "import { log } from '../../../platform/log.ts';",
    'export const t = [a, log];',
  ].join('\n'),
  'src/blocks/b/index.ts':
    "import { publish } from '../../orchestration/index.ts';\nexport const b = publish;\n",
  'src/platform/log.ts': 'export const log = 1;\n',
  'src/orchestration/index.ts':
    "import { bus } from './bus/bus.ts';\nexport const publish = bus;\n",
  'src/orchestration/bus/bus.ts':
    "import { log } from '../../platform/log.ts';\nexport const bus = log;\n",
  'src/orchestration/contracts/events.ts': 'export type Event = { kind: string };\n',
  // The composition root is the one place allowed to wire blocks together.
  'src/main.ts':
    "import { a } from './blocks/a/index.ts';\nimport { b } from './blocks/b/index.ts';\nexport const all = [a, b];\n",
  'src/app/wire.ts': "import { b } from '../blocks/b/index.ts';\nexport const wired = b;\n",
};

describe('npm run check:blocks (.dependency-cruiser.cjs)', () => {
  afterAll(async () => {
    await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('passes a tree that respects the block boundaries', async () => {
    const root = await makeTree(cleanTree);
    const { code, output } = await checkBlocks(root);
    expect(output).toContain('no dependency violations found');
    expect(code).toBe(0);
  });

  it('fails on each kind of boundary violation', async () => {
    const root = await makeTree({
      ...cleanTree,
      // Cross-block import, type-only so the precompilation setting is covered too.
      'src/blocks/a/index.ts': "import type { B } from '../b/index.ts';\nexport type A = B;\n",
      'src/blocks/b/index.ts': 'export type B = number;\nexport const b = 1;\n',
      // Block test reaching into another block.
      'src/blocks/a/tests/a.test.ts':
        "import { b } from '../../b/index.ts';\nexport const t = b;\n",
      // Block reaching into orchestration internals.
      'src/blocks/c/index.ts':
        "import { bus } from '../../orchestration/bus/bus.ts';\nexport const c = bus;\n",
      // Plumbing that knows about a block.
      'src/platform/log.ts': "import { b } from '../blocks/b/index.ts';\nexport const log = b;\n",
      // A cycle.
      'src/platform/x.ts': "import { y } from './y.ts';\nexport const x = () => y;\n",
      'src/platform/y.ts': "import { x } from './x.ts';\nexport const y = () => x;\n",
    });
    const { code, output } = await checkBlocks(root);
    expect(code).not.toBe(0);

    const expected: Array<[rule: string, from: string, to: string]> = [
      ['block-imports-outside-boundary', 'src/blocks/a/index.ts', 'src/blocks/b/index.ts'],
      [
        'block-tests-import-outside-boundary',
        'src/blocks/a/tests/a.test.ts',
        'src/blocks/b/index.ts',
      ],
      ['block-imports-outside-boundary', 'src/blocks/c/index.ts', 'src/orchestration/bus/bus.ts'],
      ['only-composition-root-imports-blocks', 'src/platform/log.ts', 'src/blocks/b/index.ts'],
    ];
    for (const [rule, from, to] of expected) {
      expect(output).toContain(`error ${rule}: ${from} → ${to}`);
    }
    expect(output).toMatch(/error no-circular: src\/platform\/(x|y)\.ts/);
    // Composition root imports in the same tree must not be reported.
    expect(output).not.toMatch(/: src\/(main\.ts|app\/wire\.ts) →/);
  });
});
