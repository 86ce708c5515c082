/** `provision publish`: declared here; the work (./run.ts) loads only when it runs. */
import type { Command } from 'commander';
import { globalOptions } from '../../cli/global-options';
import { paramsOption } from '../../cli/options';

export function register(program: Command): void {
  program
    .command('publish')
    .description('upload the numbered templates to S3 and print their URLs and console quick-create links')
    .requiredOption(
      '--bucket <name>',
      'S3 bucket to publish to (created if missing: private, SSE-S3 encrypted, versioned)',
    )
    .option('--version <version>', 'catalogue version: the published/<version>/ folder (default: the package version)')
    .option(
      '--key-prefix <prefix>',
      'where the files go in the bucket; {version} becomes the version',
      'cfn-stages/{version}/',
    )
    .option(
      '--public',
      "let ANYONE read the templates' prefix (only it: a bucket-policy s3:GetObject grant), e.g. to share links outside the account",
    )
    .addOption(
      paramsOption('a params file: one quick-create link per stack it plans, stack name and parameters filled in'),
    )
    .addHelpText(
      'after',
      '\nUploads every published/<version>/*.cf and params.schema.json to s3://BUCKET/<prefix> and prints, per\n' +
        'template, its URL and a CloudFormation console quick-create link (the stack name and form\n' +
        'left for you; with --params, one link per stack with its name and non-default parameters\n' +
        'filled in, never a NoEcho one). Re-running overwrites the same keys and skips unchanged files.\n' +
        "Without --public the templates are private: the links work for people of the bucket's account\n" +
        'who may read it.\n\n' +
        'Examples:\n' +
        '  provision publish --bucket acme-cfn-templates --region eu-west-1\n' +
        '  provision publish --bucket acme-cfn-templates --params envs/dev.yaml --json',
    )
    .action(async (opts, cmd: Command) => (await import('./run')).runPublish(opts, globalOptions(cmd)));
}
