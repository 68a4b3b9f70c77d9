// The only way the agent runs host tools: argv arrays through execFile (never a shell), each with
// a timeout. Failures come back as results, not exceptions, so callers classify them (lock vs other).

import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit code; -1 when the tool could not be started or was killed by the timeout. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to the tool's stdin (iptables-restore, nft -f -). */
  readonly input?: string;
  readonly timeoutMs?: number;
}

export interface CommandRunner {
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Raised by callers that need a command to succeed; carries the argv and stderr. */
export class CommandError extends Error {
  readonly code = 'ERR_NODE_COMMAND';
  readonly argv: readonly string[];
  readonly result: CommandResult;
  constructor(argv: readonly string[], result: CommandResult) {
    super(
      `${argv.join(' ')}: exit ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
    this.name = 'CommandError';
    this.argv = argv;
    this.result = result;
  }
}

export class ExecFileRunner implements CommandRunner {
  readonly env: NodeJS.ProcessEnv | undefined;
  constructor(env?: NodeJS.ProcessEnv) {
    this.env = env;
  }

  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const [file, ...args] = argv;
    if (file === undefined) return Promise.resolve({ code: -1, stdout: '', stderr: 'empty argv' });
    return new Promise((resolve) => {
      const child = execFile(
        file,
        args,
        {
          timeout: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
          maxBuffer: MAX_OUTPUT_BYTES,
          encoding: 'utf8',
          killSignal: 'SIGKILL',
          env: this.env ?? process.env,
        },
        (error, stdout, stderr) => {
          if (error === null) {
            resolve({ code: 0, stdout, stderr });
            return;
          }
          const code = typeof error.code === 'number' ? error.code : -1;
          const reason = error.killed
            ? `timed out after ${options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS} ms`
            : code === -1
              ? error.message
              : '';
          resolve({ code, stdout, stderr: [stderr, reason].filter((s) => s !== '').join('\n') });
        },
      );
      child.stdin?.on('error', () => {}); // a tool that exits before reading stdin must not crash us
      child.stdin?.end(options.input ?? '');
    });
  }
}

/** Runs a command and throws CommandError unless it exits 0. */
export async function runChecked(
  runner: CommandRunner,
  argv: readonly string[],
  options?: RunOptions,
): Promise<string> {
  const result = await runner.run(argv, options);
  if (result.code !== 0) throw new CommandError(argv, result);
  return result.stdout;
}
