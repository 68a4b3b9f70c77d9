// CoreDNS's log shape: `[LEVEL] plugin/<name>: message` on stdout, no timestamp (the container
// runtime adds one). Debug lines are off unless NLD_DEBUG is set.

export type Level = 'INFO' | 'WARNING' | 'ERROR' | 'DEBUG';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** A logger whose lines start with `plugin/<name>: `. */
  forPlugin(name: string): Logger;
}

export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(
  sink: LogSink = stdoutSink,
  prefix = '',
  debug = process.env['NLD_DEBUG'] !== undefined,
): Logger {
  const emit = (level: Level, message: string): void => sink(`[${level}] ${prefix}${message}`);
  return {
    info: (m) => emit('INFO', m),
    warning: (m) => emit('WARNING', m),
    error: (m) => emit('ERROR', m),
    debug: (m) => {
      if (debug) emit('DEBUG', m);
    },
    forPlugin: (name) => createLogger(sink, `plugin/${name}: `, debug),
  };
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger((l) => lines.push(l), '', true),
    { lines },
  );
}
