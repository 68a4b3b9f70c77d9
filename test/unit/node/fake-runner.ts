// A CommandRunner that records argv and answers from a script, for asserting exact commands.

import type { CommandResult, CommandRunner, RunOptions } from '../../../src/node/exec.ts';

export interface RecordedCall {
  readonly argv: readonly string[];
  readonly input: string | undefined;
}

export class FakeRunner implements CommandRunner {
  readonly calls: RecordedCall[] = [];
  readonly #answer: (argv: readonly string[], input: string | undefined) => Partial<CommandResult>;

  constructor(
    answer: (
      argv: readonly string[],
      input: string | undefined,
    ) => Partial<CommandResult> = () => ({}),
  ) {
    this.#answer = answer;
  }

  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    this.calls.push({ argv, input: options.input });
    const a = this.#answer(argv, options.input);
    return Promise.resolve({ code: a.code ?? 0, stdout: a.stdout ?? '', stderr: a.stderr ?? '' });
  }
}
