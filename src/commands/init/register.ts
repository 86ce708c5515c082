/** `provision init`: declared here; the work (./run.ts) loads only when it runs. */
import { Option, type Command } from 'commander';
import { globalOptions } from '../../cli/global-options';

export function register(program: Command): void {
  program
    .command('init')
    .description(
      'start your own infrastructure repository: write envs/<env>.yaml from an example, ready to edit and deploy',
    )
    .option('--env <name>', 'the environment name (1-10 lower-case letters and digits)', 'dev')
    .option('--prefix <prefix>', 'the prefix of every stack and export name (2-3 characters ending in a hyphen)', 'x-')
    .option(
      '--region <region>',
      'the AWS region the file deploys to',
      process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    )
    .addOption(
      new Option(
        '--example <name>',
        'the example to start from: small (one app on Fargate) or full (data stores, links, extras)',
      )
        .choices(['small', 'full'])
        .default('small'),
    )
    .option('--contact-email <email>', 'tags.contactEmail: who is told about the environment')
    .addOption(new Option('--dir <dir>', 'the repository folder').default('.', 'the current one'))
    .option('--force', 'overwrite envs/<env>.yaml if it exists')
    .addHelpText(
      'after',
      "\nThe file's first line points editors at the installed package's JSON Schema, so fields complete and\n" +
        'are checked as you type. .gitignore gets node_modules/ when it lacks it. Nothing is deployed.\n\n' +
        'Example:\n  provision init --env dev --prefix ac- --region eu-west-1 --contact-email ops@acme.example',
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runInit(opts, globalOptions(cmd)));
}
