/**
 * Block boundary rules for WSOPTV, enforced by `npm run check:blocks`.
 *
 * The architecture only works if the seven blocks stay swappable: a block
 * may talk to the rest of the system solely through the orchestration
 * layer's public surface, and the plumbing underneath must not know which
 * blocks exist. Every rule is severity "error" so that depcruise exits
 * non-zero and `npm test` fails on the first boundary leak.
 *
 * Paths are matched against depcruise's resolved paths, which are relative
 * to the directory depcruise runs in (the repository root).
 */

// Where a file inside a block is allowed to reach, besides its own block.
// `$1` is the block id captured by the rule's `from.path`.
const BLOCK_ALLOWED_TARGETS = [
  '^src/blocks/$1/',
  '^src/platform/',
  // Public API of orchestration only; bus/, registry internals etc. stay private.
  '^src/orchestration/index\\.ts$',
  '^src/orchestration/contracts/',
  // npm packages resolve into node_modules (including type-only @types).
  '(^|/)node_modules/',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'block-imports-outside-boundary',
      severity: 'error',
      comment:
        'A block may import only its own files, src/platform/, src/orchestration/index.ts, ' +
        'src/orchestration/contracts/, npm packages and node builtins. Talk to other blocks ' +
        'through the orchestration layer.',
      from: { path: '^src/blocks/([^/]+)/', pathNot: '^src/blocks/[^/]+/tests/' },
      to: {
        pathNot: BLOCK_ALLOWED_TARGETS,
        // Node builtins have no file path to match, so exempt them by type.
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'block-tests-import-outside-boundary',
      severity: 'error',
      comment:
        "A block's tests may import what the block may, plus the block-agnostic helpers in " +
        'test/support/ (database and Redis availability, media fixtures), the host builder ' +
        '(src/app/host.ts, block-agnostic: it hosts the block under test) and the configuration ' +
        'it takes (src/app/config.ts). Other blocks are replaced by mocks built from their ' +
        'contracts.',
      from: { path: '^src/blocks/([^/]+)/tests/' },
      to: {
        pathNot: [
          ...BLOCK_ALLOWED_TARGETS,
          '^test/support/',
          '^src/app/host\\.ts$',
          '^src/app/config\\.ts$',
        ],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'only-composition-root-imports-blocks',
      severity: 'error',
      comment:
        'Only src/main.ts and src/app/ (the composition root) may import blocks; ' +
        'orchestration and platform must stay block-agnostic.',
      // Blocks importing blocks is the previous rule's business (own block is fine).
      from: { pathNot: ['^src/blocks/', '^src/main\\.ts$', '^src/app/'] },
      to: { path: '^src/blocks/' },
    },
    {
      name: 'platform-is-below-the-app',
      severity: 'error',
      comment:
        'src/platform/ is plumbing below everything: the orchestration layer, the blocks, the ' +
        'composition root (src/app/), the deployment shapes (src/deploy/) and the entry points ' +
        'may use it; it uses none of them.',
      from: { path: '^src/platform/' },
      to: {
        path: [
          '^src/orchestration/',
          '^src/blocks/',
          '^src/app/',
          '^src/deploy/',
          '^src/main\\.ts$',
          '^src/cli\\.ts$',
        ],
      },
    },
    {
      name: 'orchestration-takes-its-own-settings',
      severity: 'error',
      comment:
        'The orchestration layer takes its own settings type (orchestration/settings.ts); the ' +
        'composition root maps the configuration onto it.',
      from: { path: '^src/orchestration/' },
      to: { path: ['^src/app/', '^src/deploy/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular dependencies make load order and block isolation unpredictable.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import depcruise cannot resolve escapes every other rule, so it is an ' +
        'error in its own right (typo, missing file, or package not installed).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Count `import type` too: a type pulled from another block is still coupling.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
