// Log lines on stdout. The text format is CoreDNS's `[LEVEL] plugin/<name>: message` behind an
// RFC 3339 UTC timestamp; the JSON format is one object per line for log pipelines. Lines below
// the configured level are dropped. src/cli.ts builds the logger from the -log-format and
// -log-level flags; a logger built without settings logs text at info (debug if NLD_DEBUG is set).

export type Level = 'INFO' | 'WARNING' | 'ERROR' | 'DEBUG';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogSettings {
  readonly format: LogFormat;
  /** The lowest level written. */
  readonly level: LogLevel;
  /** Prefix text lines with a timestamp (JSON lines always carry one). */
  readonly timestamps: boolean;
}

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

const RANK: Record<Level, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };
const LEVEL_OF: Record<LogLevel, Level> = {
  debug: 'DEBUG',
  info: 'INFO',
  warning: 'WARNING',
  error: 'ERROR',
};

/** What a logger built without settings uses. */
export function defaultLogSettings(env: NodeJS.ProcessEnv = process.env): LogSettings {
  return {
    format: 'text',
    level: env['NLD_DEBUG'] !== undefined ? 'debug' : 'info',
    timestamps: true,
  };
}

export interface LoggerOptions {
  sink?: LogSink;
  settings?: LogSettings;
  /** Injected in tests. */
  now?: () => Date;
}

/** `createLogger(sink)` is shorthand for `createLogger({ sink })`. */
export function createLogger(options: LoggerOptions | LogSink = {}): Logger {
  if (typeof options === 'function') options = { sink: options };
  return build(
    options.sink ?? stdoutSink,
    options.settings ?? defaultLogSettings(),
    options.now ?? (() => new Date()),
    undefined,
  );
}

function build(
  sink: LogSink,
  settings: LogSettings,
  now: () => Date,
  plugin: string | undefined,
): Logger {
  const min = RANK[LEVEL_OF[settings.level]];
  const prefix = plugin === undefined ? '' : `plugin/${plugin}: `;
  const emit = (level: Level, message: string): void => {
    if (RANK[level] < min) return;
    if (settings.format === 'json') {
      const record: Record<string, string> = {
        time: now().toISOString(),
        level: level.toLowerCase(),
      };
      if (plugin !== undefined) record['plugin'] = plugin;
      record['msg'] = message;
      sink(JSON.stringify(record));
      return;
    }
    const line = `[${level}] ${prefix}${message}`;
    sink(settings.timestamps ? `${now().toISOString()} ${line}` : line);
  };
  return {
    info: (m) => emit('INFO', m),
    warning: (m) => emit('WARNING', m),
    error: (m) => emit('ERROR', m),
    debug: (m) => emit('DEBUG', m),
    forPlugin: (name) => build(sink, settings, now, name),
  };
}

/** A logger that keeps lines in memory (text, every level, no timestamp), for tests. */
export function memoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger({
      sink: (l) => lines.push(l),
      settings: { format: 'text', level: 'debug', timestamps: false },
    }),
    { lines },
  );
}
