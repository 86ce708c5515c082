/**
 * The layer rules, checked by `npm test` (tools/test.sh runs `depcruise`):
 *
 *   templates/  ←  stages/  ←  src/       (arrows point at what a layer may import)
 *
 * - templates/ builds CloudFormation documents: pure code, no AWS SDK, no I/O.
 * - stages/ turns a params file into planned stacks; it knows templates/, never src/.
 * - src/ is the tool. Below the CLI (src/cli, src/commands) nothing imports the CLI; commands share
 *   code through modules below them, never by importing each other.
 * - No circles anywhere.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'warn',
      comment: 'A circle means two modules are one module, or a type lives in the wrong place.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'templates-are-the-bottom',
      severity: 'error',
      comment: 'templates/ may import only templates/ (and cloudform): it is the lowest layer.',
      from: { path: '^templates/' },
      to: { path: '^(stages|src)/' },
    },
    {
      name: 'templates-are-pure',
      severity: 'error',
      comment: 'templates/ builds documents: no AWS SDK, no file, network or process I/O.',
      from: { path: '^templates/' },
      to: {
        path: '(^node_modules/@aws-sdk/|^node_modules/@smithy/)|^(fs|net|http|https|child_process|dns|tls|dgram)$',
        dependencyTypes: ['npm', 'core'],
      },
    },
    {
      name: 'stages-below-src',
      severity: 'warn',
      comment: 'stages/ may import templates/ but never src/.',
      from: { path: '^stages/' },
      to: { path: '^src/' },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'warn',
      comment: 'Code below the CLI throws typed errors and takes plain options; the CLI imports it, not the reverse.',
      from: { path: '^src/', pathNot: '^src/(cli|commands)/' },
      to: { path: '^src/(cli|commands)/' },
    },
    {
      name: 'commands-do-not-import-commands',
      severity: 'warn',
      comment:
        'Commands share code through modules below them (src/deploy, src/ops, ...), not by importing each other.',
      from: { path: '^src/commands/([^/]+)\\.ts$' },
      to: { path: '^src/commands/', pathNot: '^src/commands/$1\\.ts$' },
    },
    {
      name: 'no-test-code-in-product',
      severity: 'error',
      from: { path: '^(src|stages|templates)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|published|node_modules|\\.venv)/' },
  },
};
