/**
 * The wizard's questions in a terminal, with @inquirer/prompts. Text answers are checked as they
 * are typed: the problem shows under the line while the value is invalid, and Enter refuses it;
 * otherwise that line says what the question is for. Ctrl-C at any question rejects with
 * inquirer's ExitPromptError, which the wizard command turns into exit code 130.
 */
import {
  createPrompt,
  isBackspaceKey,
  isEnterKey,
  isTabKey,
  makeTheme,
  useEffect,
  useKeypress,
  usePrefix,
  useState,
  type Status,
} from '@inquirer/core';
import type { Choice, Prompter, Question } from './ask';

/** The colours the prompts use (picocolors' formatters; identity without colour). */
export type Colours = Record<'bold' | 'dim' | 'red' | 'yellow', (text: string) => string>;

/**
 * What the terminal prompter takes from the CLI, so that this module does not import it: the
 * colours (they follow --no-color and NO_COLOR) and where a note between questions goes.
 */
export interface Terminal {
  colours(): Colours;
  line(text: string): void;
}

interface TextConfig {
  colours: Colours;
  message: string;
  help?: string;
  default?: string;
  validate?: (value: string) => string | undefined;
}

/** A text prompt that validates as you type (inquirer's own input validates only on Enter). */
const textPrompt = createPrompt<string, TextConfig>((config, done) => {
  const theme = makeTheme({});
  const [status, setStatus] = useState<Status>('idle');
  const [value, setValue] = useState('');
  const [defaultValue, setDefaultValue] = useState(config.default ?? '');
  const [refused, setRefused] = useState<string | undefined>(undefined);
  const prefix = usePrefix({ status, theme });
  useKeypress((key, rl) => {
    if (status !== 'idle') return;
    if (isEnterKey(key)) {
      const answer = value || defaultValue;
      const problem = config.validate?.(answer);
      if (problem === undefined) {
        setValue(answer);
        setStatus('done');
        done(answer);
      } else {
        // Enter cleared readline's line: put the text back so it can be fixed.
        rl.write(value);
        setRefused(problem);
      }
    } else if (isBackspaceKey(key) && !value) {
      setDefaultValue('');
    } else if (isTabKey(key) && !value) {
      rl.clearLine(0);
      rl.write(defaultValue);
      setValue(defaultValue);
    } else {
      setValue(rl.line);
      setRefused(undefined);
    }
  });
  const message = theme.style.message(config.message, status);
  if (status === 'done') return `${prefix} ${message} ${theme.style.answer(value)}`;
  const live = value ? config.validate?.(value) : undefined;
  const shown = defaultValue && !value ? theme.style.defaultAnswer(defaultValue) : undefined;
  const line = [prefix, message, shown, value].filter((v) => v !== undefined).join(' ');
  // An optional answer with a default: say how to answer "nothing".
  const clearable =
    defaultValue && !value && config.validate?.('') === undefined ? ' (Backspace clears the default)' : '';
  const below = refused
    ? config.colours.red(`✖ ${refused}`)
    : live
      ? config.colours.yellow(`✖ ${live}`)
      : config.colours.dim(`  ${config.help ?? ''}${clearable}`);
  return [line, below];
});

interface ConfirmConfig {
  colours: Colours;
  message: string;
  help?: string;
  default: boolean;
}

/** Yes/no, with what it is for under the line. */
const confirmPrompt = createPrompt<boolean, ConfirmConfig>((config, done) => {
  const theme = makeTheme({});
  const [status, setStatus] = useState<Status>('idle');
  const [value, setValue] = useState('');
  const prefix = usePrefix({ status, theme });
  useKeypress((key, rl) => {
    if (status !== 'idle') return;
    if (isEnterKey(key)) {
      const answer = /^y(es)?$/i.test(value.trim()) ? true : /^no?$/i.test(value.trim()) ? false : config.default;
      setValue(answer ? 'Yes' : 'No');
      setStatus('done');
      done(answer);
    } else {
      setValue(rl.line);
    }
  });
  const message = theme.style.message(config.message, status);
  if (status === 'done') return `${prefix} ${message} ${theme.style.answer(value)}`;
  const hint = theme.style.defaultAnswer(config.default ? 'Y/n' : 'y/N');
  return [`${prefix} ${message} ${hint} ${value}`, config.colours.dim(`  ${config.help ?? ''}`)];
});

interface WaitConfig {
  colours: Colours;
  message: string;
  help?: string;
  check: () => Promise<boolean>;
  intervalMs: number;
}

/**
 * Waits for something outside (an image pushed) by checking every `intervalMs`: resolves
 * `ready` once `check` says so, `skip` when the user types "s"; Enter checks at once.
 */
const waitPrompt = createPrompt<'ready' | 'skip', WaitConfig>((config, done) => {
  const theme = makeTheme({});
  const [status, setStatus] = useState<Status>('loading');
  const [outcome, setOutcome] = useState('');
  const prefix = usePrefix({ status, theme });
  const finish = (result: 'ready' | 'skip'): void => {
    setOutcome(result === 'ready' ? 'found' : 'skipped');
    setStatus('done');
    done(result);
  };
  useEffect(() => {
    let stopped = false;
    let busy = false;
    const tick = async (): Promise<void> => {
      if (busy || stopped) return;
      busy = true;
      try {
        if (await config.check()) {
          stopped = true;
          finish('ready');
        }
      } catch {
        /* a failed look-up is retried at the next tick */
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick(), config.intervalMs);
    void tick();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  useKeypress((key, rl) => {
    if (status === 'done') return;
    if (/^s$/i.test(rl.line.trim())) {
      finish('skip');
    } else if (isEnterKey(key)) {
      void config.check().then(
        (ok) => ok && status !== 'done' && finish('ready'),
        () => undefined,
      );
    }
  });
  const message = theme.style.message(config.message, status);
  if (status === 'done') return `${prefix} ${message} ${theme.style.answer(outcome)}`;
  return [`${prefix} ${message}`, config.colours.dim(`  ${config.help ?? ''}`)];
});

/** A select/checkbox theme that shows the help under the question until it is answered. */
function helpTheme(help: string | undefined, colours: Colours) {
  const { bold, dim } = colours;
  return {
    style: {
      message: (text: string, status: Status) =>
        status === 'done' || !help ? bold(text) : `${bold(text)}\n  ${dim(help)}`,
    },
  };
}

/** The wizard's questions in the terminal, coloured and written as the CLI says (`terminal`). */
export function terminalPrompter(terminal: Terminal): Prompter {
  /** What every prompt of this module takes from a question. */
  const shown = (q: Question) => ({
    colours: terminal.colours(),
    message: q.message,
    ...(q.help ? { help: q.help } : {}),
  });
  return {
    input: (q) =>
      textPrompt({
        ...shown(q),
        ...(q.default !== undefined ? { default: q.default } : {}),
        ...(q.validate ? { validate: q.validate } : {}),
      }),
    confirm: (q) => confirmPrompt({ ...shown(q), default: q.default }),
    async select<T extends string>(q: Question & { choices: Choice<T>[]; default?: T }): Promise<T> {
      const { select } = await import('@inquirer/prompts');
      return select<T>({
        message: q.message,
        choices: q.choices.map((ch) => ({
          value: ch.value,
          name: ch.name,
          ...(ch.description ? { description: ch.description } : {}),
        })),
        ...(q.default !== undefined ? { default: q.default } : {}),
        pageSize: 12,
        theme: helpTheme(q.help, terminal.colours()),
      });
    },
    async checkbox<T extends string>(
      q: Question & { choices: Choice<T>[]; validate?: (values: T[]) => string | undefined },
    ): Promise<T[]> {
      const { checkbox } = await import('@inquirer/prompts');
      const validate = q.validate;
      return checkbox<T>({
        message: q.message,
        choices: q.choices.map((ch) => ({
          value: ch.value,
          name: ch.name,
          checked: Boolean(ch.checked),
          ...(ch.disabled ? { disabled: ch.disabled } : {}),
        })),
        ...(validate
          ? { validate: (items: readonly { value: T }[]) => validate(items.map((i) => i.value)) ?? true }
          : {}),
        pageSize: 12,
        theme: helpTheme(q.help, terminal.colours()),
      });
    },
    waitFor: (q) => waitPrompt({ ...shown(q), check: q.check, intervalMs: q.intervalMs }),
    note: (text) => terminal.line(text),
  };
}

/** Whether an error is a prompt closed by Ctrl-C (or by its input closing). */
export function isPromptExit(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}
