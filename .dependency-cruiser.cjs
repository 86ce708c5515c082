/**
 * The layer rules, checked by `npm test` (tools/test.sh runs `depcruise`):
 *
 *   templates/  ←  stages/  ←  src/       (arrows point at what a layer may import)
 *
 * - templates/ builds CloudFormation documents: pure code, no AWS SDK, no I/O.
 * - stages/ turns a params file into planned stacks; it knows templates/, never src/.
 * - src/ is the tool, itself in layers (each imports only the ones below it):
 *
 *     src/cli/main.ts             the program: the global options and the list of commands' registers
 *     src/commands/<name>/        one folder per command: register.ts declares it with commander and
 *                                 import()s run.ts, its implementation, only when the command runs
 *     src/run/                    what commands share: the run context (params, stacks, clients, lock,
 *                                 Ctrl-C), deploying and planning an environment, the image gate, the
 *                                 preflight, shared stacks, an app's ECS service
 *     src/cli/*                   the CLI's tools: output, progress, errors and exit codes
 *     src/deploy, src/ops, src/params, src/aws, src/publish, src/wizard (its prompter takes the
 *     CLI's colours and output as arguments), ...
 *                                 below the CLI: typed errors (code + hint), no import of the CLI
 *
 * - Commands do not import each other; only main.ts imports them, and only their registers.
 * - Start-up (`--help`, `--version`, completion) loads commander and the registers only: see the
 *   start-up rules below, and test/cli/start-up.test.ts for the modules it actually loads.
 * - No circles anywhere.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
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
        path: '(^|/)node_modules/(@aws-sdk|@smithy)/|^(fs|net|http|https|child_process|dns|tls|dgram)$',
        dependencyTypes: ['npm', 'core'],
      },
    },
    {
      name: 'stages-below-src',
      severity: 'error',
      comment: 'stages/ may import templates/ but never src/.',
      from: { path: '^stages/' },
      to: { path: '^src/' },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      comment: 'Code below the CLI throws typed errors and takes plain options; the CLI imports it, not the reverse.',
      from: { path: '^src/', pathNot: '^src/(cli|commands|run)/' },
      to: { path: '^src/(cli|commands|run)/' },
    },
    {
      name: 'commands-do-not-import-commands',
      severity: 'error',
      comment: 'A command shares code through src/run/ or the modules below the CLI, not by importing another command.',
      from: { path: '^src/commands/([^/]+)/' },
      to: { path: '^src/commands/', pathNot: '^src/commands/$1/' },
    },
    {
      name: 'only-the-program-knows-the-commands',
      severity: 'error',
      comment: "src/cli/main.ts lists the commands' registers; nothing else in the CLI imports a command.",
      from: { path: '^src/(cli|run)/', pathNot: '^src/cli/main\\.ts$' },
      to: { path: '^src/commands/' },
    },
    {
      name: 'the-program-lists-registers-only',
      severity: 'error',
      comment: "main.ts imports each command's register.ts, never its implementation.",
      from: { path: '^src/cli/main\\.ts$' },
      to: { path: '^src/commands/', pathNot: '^src/commands/[^/]+/register\\.ts$' },
    },
    {
      name: 'start-up-loads-only-the-command-list',
      severity: 'error',
      comment:
        'What `provision --help` loads: main.ts and the registers import commander and the small CLI modules only; ' +
        "a command's implementation (and the AWS SDK, zod, yaml, the templates) loads by import() when it runs.",
      from: { path: '^src/cli/main\\.ts$|^src/commands/[^/]+/register\\.ts$' },
      to: {
        dynamic: false,
        dependencyTypesNot: ['type-only'],
        pathNot:
          'node_modules/(commander|picocolors)/|^src/cli/(errors|global-options|options|output)\\.ts$|^src/errors\\.ts$|^src/commands/[^/]+/register\\.ts$',
      },
    },
    {
      name: 'the-start-up-modules-stay-light',
      severity: 'error',
      comment: 'The modules main.ts loads at start-up import nothing else at their top.',
      from: { path: '^src/cli/(errors|global-options|options|output)\\.ts$|^src/errors\\.ts$' },
      to: {
        dynamic: false,
        dependencyTypesNot: ['type-only'],
        pathNot:
          'node_modules/(commander|picocolors)/|^src/cli/(errors|global-options|options|output)\\.ts$|^src/errors\\.ts$',
      },
    },
    {
      name: 'cloudform-one-module-at-a-time',
      severity: 'error',
      comment:
        "cloudform-types' root and its service indexes load every resource type they hold (the catalogue's " +
        'services: 238 files, most of `synth`); templates import single modules (templates/kit/resources.ts).',
      from: {},
      to: {
        dependencyTypesNot: ['type-only'],
        path: 'node_modules/cloudform-types/(index|types/[^/]+/index(\\.namespace)?)\\.(js|d\\.ts)$',
      },
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
