/**
 * `provision completion [bash|zsh]`: prints a completion script generated from the command tree
 * it belongs to (src/cli/completion.ts), loaded only when it runs.
 */
import { Argument, type Command } from 'commander';

export function register(program: Command): void {
  program
    .command('completion')
    .description('print the shell completion script (commands, flags, --params files)')
    .addArgument(new Argument('[shell]', 'bash or zsh').choices(['bash', 'zsh']).default('bash'))
    .addHelpText(
      'after',
      "\nbash:  echo 'source <(provision completion bash)' >> ~/.bashrc\nzsh:   echo 'source <(provision completion zsh)' >> ~/.zshrc",
    )
    .action(async (shell: 'bash' | 'zsh') => {
      const { bashCompletion, zshCompletion } = await import('../../cli/completion');
      process.stdout.write((shell === 'zsh' ? zshCompletion : bashCompletion)(program));
    });
}
