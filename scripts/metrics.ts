// `npm run metrics`: measures the four success metrics of the block
// architecture straight from the code (and, for fault isolation, from the
// chaos run's result file). Everything printed is measured on this run;
// a metric that cannot be measured says so instead of showing a number.
//
// Output: a human-readable report, then one final line holding a single
// JSON object with every figure, for scripts and CI to parse.
//
// Usage: node --import tsx scripts/metrics.ts [--root <repo dir>]
// (--root exists so tests can point the script at a fixture tree.)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const LOC_TARGET = 500;

// ---------------------------------------------------------------------------
// Inputs

function parseRoot(argv: string[]): string {
  const i = argv.indexOf('--root');
  if (i !== -1) {
    const value = argv[i + 1];
    if (!value) throw new Error('--root needs a directory');
    return resolve(value);
  }
  // Default to the repository this script lives in, not the caller's cwd,
  // so running it from a subdirectory still measures the whole project.
  return resolve(dirname(fileURLToPath(import.meta.url)), '..');
}

const root = parseRoot(process.argv.slice(2));
// A mistyped --root would otherwise be reported as a project with 0 blocks.
if (!isDir(root)) {
  process.stderr.write(`metrics: ${root} is not a directory\n`);
  process.exit(2);
}
const blocksDir = join(root, 'src', 'blocks');
const chaosFile = join(root, 'test-results', 'chaos.json');

/** Repo-relative path with forward slashes, for stable output on any OS. */
const rel = (abs: string): string => relative(root, abs).split(sep).join('/');

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function listTsFiles(dir: string): string[] {
  if (!isDir(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTsFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.ts')) out.push(full);
  }
  return out.sort();
}

const blockIds: string[] = isDir(blocksDir)
  ? readdirSync(blocksDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort()
  : [];

/** Which block a path belongs to, or undefined when it is outside src/blocks/<id>/. */
function blockOf(abs: string): string | undefined {
  const r = relative(blocksDir, abs);
  if (r === '' || r.startsWith('..')) return undefined;
  const parts = r.split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

/** Test code of a block: everything under its tests/ folder plus any *.test.ts. */
function isBlockTestFile(abs: string): boolean {
  const block = blockOf(abs);
  if (!block) return false;
  const inBlock = relative(join(blocksDir, block), abs).split(sep);
  return inBlock[0] === 'tests' || abs.endsWith('.test.ts');
}

// ---------------------------------------------------------------------------
// Import parsing and resolution

const sourceCache = new Map<string, ts.SourceFile>();
function sourceFile(abs: string): ts.SourceFile {
  let sf = sourceCache.get(abs);
  if (!sf) {
    sf = ts.createSourceFile(abs, readFileSync(abs, 'utf8'), ts.ScriptTarget.Latest, true);
    sourceCache.set(abs, sf);
  }
  return sf;
}

/**
 * Module specifiers of import / export-from / import() / require, read with
 * TypeScript's own pre-processor so type-only imports count and nothing in
 * comments or strings is mistaken for an import.
 */
function specifiersOf(abs: string): string[] {
  const info = ts.preProcessFile(readFileSync(abs, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

interface Resolved {
  path: string;
  exists: boolean;
}

/** Resolves relative specifiers the way the project writes them; packages return undefined. */
function resolveSpecifier(fromFile: string, spec: string): Resolved | undefined {
  if (!spec.startsWith('.') && !spec.startsWith('/')) return undefined;
  const base = resolve(dirname(fromFile), spec);
  const candidates = [
    base,
    // NodeNext-style `.js` specifiers pointing at `.ts` sources.
    base.replace(/\.(m|c)?js$/, '.ts'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  for (const c of candidates) if (isFile(c)) return { path: c, exists: true };
  // Still report where it points: a broken cross-block import is still one.
  return { path: base, exists: false };
}

const importCache = new Map<string, Resolved[]>();
function localImportsOf(abs: string): Resolved[] {
  let list = importCache.get(abs);
  if (!list) {
    const seen = new Set<string>();
    list = [];
    for (const spec of specifiersOf(abs)) {
      const r = resolveSpecifier(abs, spec);
      if (r && !seen.has(r.path)) {
        seen.add(r.path);
        list.push(r);
      }
    }
    importCache.set(abs, list);
  }
  return list;
}

// ---------------------------------------------------------------------------
// (a) cross-block imports

interface Edge {
  from: string;
  to: string;
  from_block: string;
  to_block: string;
  from_test: boolean;
}

const blockFiles = new Map<string, string[]>(
  blockIds.map((id) => [id, listTsFiles(join(blocksDir, id))]),
);

const edges: Edge[] = [];
for (const [id, files] of blockFiles) {
  for (const file of files) {
    for (const target of localImportsOf(file)) {
      const toBlock = blockOf(target.path);
      if (toBlock && toBlock !== id) {
        edges.push({
          from: rel(file),
          to: rel(target.path),
          from_block: id,
          to_block: toBlock,
          from_test: isBlockTestFile(file),
        });
      }
    }
  }
}
const edgesByPair: Record<string, number> = {};
for (const e of edges) {
  const key = `${e.from_block}->${e.to_block}`;
  edgesByPair[key] = (edgesByPair[key] ?? 0) + 1;
}

// ---------------------------------------------------------------------------
// (b) lines of code per block

/**
 * Lines holding at least one real token. Walking the parsed tree (rather
 * than regex on lines) gets template literals, regexes and comment-looking
 * text inside strings right; JSDoc nodes are skipped because they are comments.
 */
function codeLines(abs: string): number {
  const sf = sourceFile(abs);
  const lines = new Set<number>();
  const visit = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode)
      return;
    const children = node.getChildren(sf);
    if (children.length === 0) {
      if (node.kind === ts.SyntaxKind.EndOfFileToken) return;
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.end).line;
      for (let l = first; l <= last; l++) lines.add(l);
      return;
    }
    for (const child of children) visit(child);
  };
  visit(sf);
  return lines.size;
}

interface BlockLoc {
  source: number;
  test: number;
  source_files: number;
  test_files: number;
  over_target: boolean;
}

const loc: Record<string, BlockLoc> = {};
for (const [id, files] of blockFiles) {
  const entry: BlockLoc = {
    source: 0,
    test: 0,
    source_files: 0,
    test_files: 0,
    over_target: false,
  };
  for (const file of files) {
    const n = codeLines(file);
    if (isBlockTestFile(file)) {
      entry.test += n;
      entry.test_files += 1;
    } else {
      entry.source += n;
      entry.source_files += 1;
    }
  }
  entry.over_target = entry.source > LOC_TARGET;
  loc[id] = entry;
}

// ---------------------------------------------------------------------------
// (c) fault isolation (measured by the chaos suite, read from its result file)
//
// `npm run test:chaos` kills each block's process in turn under load and writes, per block,
// the share of requests that did not need the killed block and still succeeded. Besides that
// required figure the file may carry how many requests were counted, detection and recovery
// times and whether the block's run passed; those are shown when present and numeric.

const FAULT_ISOLATION_TARGET = 0.999;

interface BlockIsolation {
  unaffected_success_rate: number;
  unaffected_requests?: number;
  detection_ms?: number;
  recovery_ms?: number;
  passed?: boolean;
  meets_target: boolean;
}

type FaultIsolation =
  | { measured: false; reason: string }
  | {
      measured: true;
      source: string;
      generated_at: string | null;
      target: number;
      blocks: Record<string, BlockIsolation>;
      /** Blocks the file lists without a rate (the chaos run could not measure them). */
      unmeasured: string[];
      lowest: { block: string; unaffected_success_rate: number } | null;
      all_meet_target: boolean;
      run_passed: boolean | null;
    };

const finiteOrUndefined = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

function readFaultIsolation(): FaultIsolation {
  if (!existsSync(chaosFile))
    return { measured: false, reason: `${rel(chaosFile)} not found (run npm run test:chaos)` };
  try {
    const data: unknown = JSON.parse(readFileSync(chaosFile, 'utf8'));
    if (typeof data !== 'object' || data === null) throw new Error('not a JSON object');
    const obj = data as {
      generated_at?: unknown;
      blocks?: unknown;
      targets?: unknown;
      passed?: unknown;
    };
    if (typeof obj.blocks !== 'object' || obj.blocks === null)
      throw new Error('missing "blocks" object');
    const fileTarget = finiteOrUndefined(
      (obj.targets as { unaffected_success_rate?: unknown } | null | undefined)
        ?.unaffected_success_rate,
    );
    const target = fileTarget ?? FAULT_ISOLATION_TARGET;
    const blocks: Record<string, BlockIsolation> = {};
    const unmeasured: string[] = [];
    for (const [id, value] of Object.entries(obj.blocks as Record<string, unknown>)) {
      const entry = (value ?? {}) as Record<string, unknown>;
      const rate = entry.unaffected_success_rate;
      // null: the run listed the block but could not measure it; say so rather than guess.
      if (rate === null) {
        unmeasured.push(id);
        continue;
      }
      // Only keep numbers the chaos run actually produced; anything else
      // would be a figure we did not measure.
      if (typeof rate !== 'number' || !Number.isFinite(rate)) {
        throw new Error(`blocks.${id}.unaffected_success_rate is not a number`);
      }
      const b: BlockIsolation = { unaffected_success_rate: rate, meets_target: rate >= target };
      const requests = finiteOrUndefined(entry.unaffected_requests);
      const detection = finiteOrUndefined(entry.detection_ms);
      const recovery = finiteOrUndefined(entry.recovery_ms);
      if (requests !== undefined) b.unaffected_requests = requests;
      if (detection !== undefined) b.detection_ms = detection;
      if (recovery !== undefined) b.recovery_ms = recovery;
      if (typeof entry.passed === 'boolean') b.passed = entry.passed;
      blocks[id] = b;
    }
    const ids = Object.keys(blocks).sort();
    const lowestId = ids.reduce<string | undefined>(
      (lo, id) =>
        lo === undefined || blocks[id].unaffected_success_rate < blocks[lo].unaffected_success_rate
          ? id
          : lo,
      undefined,
    );
    return {
      measured: true,
      source: rel(chaosFile),
      generated_at: typeof obj.generated_at === 'string' ? obj.generated_at : null,
      target,
      blocks,
      unmeasured: unmeasured.sort(),
      lowest:
        lowestId === undefined
          ? null
          : { block: lowestId, unaffected_success_rate: blocks[lowestId].unaffected_success_rate },
      all_meet_target:
        ids.length > 0 && unmeasured.length === 0 && ids.every((id) => blocks[id].meets_target),
      run_passed: typeof obj.passed === 'boolean' ? obj.passed : null,
    };
  } catch (error) {
    return { measured: false, reason: `${rel(chaosFile)} unreadable: ${(error as Error).message}` };
  }
}
const faultIsolation = readFaultIsolation();

// ---------------------------------------------------------------------------
// (d) test independence

interface DependentTest {
  file: string;
  block: string;
  reaches: string[];
  /** Shortest import chain to another block, starting at the test file. */
  via: string[];
  direct: boolean;
}

/**
 * A block's test is not independent if following its relative imports -
 * directly or through helpers, its own block's code, test/support, ... -
 * ends up loading another block's files. Breadth-first, so the chain we
 * report is the shortest one.
 */
function otherBlocksReached(testFile: string, ownBlock: string): DependentTest | undefined {
  const parent = new Map<string, string | null>([[testFile, null]]);
  const queue = [testFile];
  const reached = new Set<string>();
  let firstHit: string | undefined;
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const target of localImportsOf(current)) {
      if (parent.has(target.path)) continue;
      parent.set(target.path, current);
      const b = blockOf(target.path);
      if (b && b !== ownBlock) {
        reached.add(b);
        firstHit ??= target.path;
        // Another block reached: no need to walk that block's own graph.
        continue;
      }
      if (target.exists && !target.path.split(sep).includes('node_modules'))
        queue.push(target.path);
    }
  }
  if (!firstHit) return undefined;
  const chain: string[] = [];
  for (let p: string | null | undefined = firstHit; p; p = parent.get(p)) chain.unshift(rel(p));
  return {
    file: rel(testFile),
    block: ownBlock,
    reaches: [...reached].sort(),
    via: chain,
    direct: chain.length === 2,
  };
}

const blockTestFiles: Array<[string, string]> = [];
for (const [id, files] of blockFiles)
  for (const f of files) if (isBlockTestFile(f)) blockTestFiles.push([id, f]);
const dependentTests = blockTestFiles
  .map(([id, f]) => otherBlocksReached(f, id))
  .filter((d): d is DependentTest => d !== undefined);

// ---------------------------------------------------------------------------
// Report

function table(headers: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

const out: string[] = [];
out.push(
  `WSOPTV block metrics (src/blocks: ${blockIds.length} block${blockIds.length === 1 ? '' : 's'}${isDir(blocksDir) ? '' : ', folder missing'})`,
);
out.push('');

out.push(`(a) Cross-block imports: ${edges.length}`);
if (edges.length > 0) {
  out.push(
    table(
      ['from', 'to', 'kind'],
      edges.map((e) => [e.from, e.to, e.from_test ? 'test' : 'source']),
      [false, false, false],
    ),
  );
}
out.push('');

out.push(
  `(b) Lines of code per block (non-blank, non-comment; target <= ${LOC_TARGET} source lines)`,
);
if (blockIds.length === 0) {
  out.push('    no blocks');
} else {
  const rows = blockIds.map((id) => {
    const l = loc[id];
    return [
      id,
      String(l.source),
      String(l.source_files),
      String(l.test),
      String(l.test_files),
      l.over_target ? `OVER by ${l.source - LOC_TARGET}` : 'ok',
    ];
  });
  const total = (k: 'source' | 'test' | 'source_files' | 'test_files'): string =>
    String(blockIds.reduce((s, id) => s + loc[id][k], 0));
  rows.push([
    'total',
    total('source'),
    total('source_files'),
    total('test'),
    total('test_files'),
    '',
  ]);
  out.push(
    table(['block', 'source LOC', 'files', 'test LOC', 'files', 'target'], rows, [
      false,
      true,
      true,
      true,
      true,
      false,
    ]),
  );
}
out.push('');

out.push(
  '(c) Fault isolation (per killed block: share of requests not needing it that succeeded, from the chaos run)',
);
if (!faultIsolation.measured) {
  out.push(`    not measured yet (${faultIsolation.reason})`);
} else {
  const fi = faultIsolation;
  const ids = Object.keys(fi.blocks).sort();
  out.push(
    `    from ${fi.source}, generated at ${fi.generated_at ?? 'unknown time'}; target >= ${fi.target}${fi.run_passed === null ? '' : `; chaos run ${fi.run_passed ? 'passed' : 'FAILED'}`}`,
  );
  if (ids.length === 0) out.push('    the file lists no blocks');
  else {
    const opt = (v: number | undefined): string => (v === undefined ? '-' : String(Math.round(v)));
    out.push(
      table(
        ['block', 'unaffected_success_rate', 'requests', 'detection ms', 'recovery ms', 'target'],
        ids.map((id) => {
          const b = fi.blocks[id];
          return [
            id,
            String(b.unaffected_success_rate),
            opt(b.unaffected_requests),
            opt(b.detection_ms),
            opt(b.recovery_ms),
            b.meets_target ? 'ok' : 'BELOW',
          ];
        }),
        [false, true, true, true, true, false],
      ),
    );
  }
  if (fi.unmeasured.length > 0)
    out.push(`    not measured in that run: ${fi.unmeasured.join(', ')}`);
}
out.push('');

out.push(
  `(d) Test independence: ${dependentTests.length} of ${blockTestFiles.length} block test file${blockTestFiles.length === 1 ? '' : 's'} load another block ` +
    `(${dependentTests.filter((d) => d.direct).length} directly)`,
);
if (dependentTests.length > 0) {
  out.push(
    table(
      ['test file', 'reaches', 'import chain'],
      dependentTests.map((d) => [d.file, d.reaches.join(','), d.via.join(' -> ')]),
      [false, false, false],
    ),
  );
}
out.push('');

const summary = {
  cross_block_imports: { count: edges.length, by_pair: edgesByPair, edges },
  loc_per_block: {
    target: LOC_TARGET,
    block_count: blockIds.length,
    blocks: loc,
    over_target: blockIds.filter((id) => loc[id].over_target),
  },
  fault_isolation: faultIsolation,
  test_independence: {
    count: dependentTests.length,
    block_test_files: blockTestFiles.length,
    files: dependentTests,
  },
};

process.stdout.write(`${out.join('\n')}\n${JSON.stringify(summary)}\n`);
