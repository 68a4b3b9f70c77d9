import type { DirectiveReader } from '../../corefile/model.ts';
import { parseTimerDuration } from '../../util/duration.ts';

export type ConsolidateLevel = 'warning' | 'error' | 'info' | 'debug';

export interface ConsolidateRule {
  readonly periodMs: number;
  readonly pattern: RegExp;
  readonly source: string;
  readonly level: ConsolidateLevel;
}

export interface ErrorsConfig {
  readonly stacktrace: boolean;
  readonly consolidate: readonly ConsolidateRule[];
}

/** `errors [stdout] { stacktrace; consolidate DURATION REGEXP [LEVEL] }` */
export function parseErrors(d: DirectiveReader): ErrorsConfig {
  const args = d.expectArgs(0, 1);
  if (args[0] !== undefined && args[0] !== 'stdout')
    throw d.error('ERR_COREFILE_ARGS', `unknown argument '${args[0]}' (only 'stdout')`);
  let stacktrace = false;
  const consolidate: ConsolidateRule[] = [];
  for (const o of d.options()) {
    if (o.directive.name === 'stacktrace') {
      o.expectArgs(0);
      stacktrace = true;
    } else if (o.directive.name === 'consolidate') {
      const [duration = '', source = '', level = 'error'] = o.expectArgs(2, 3);
      let periodMs: number;
      try {
        periodMs = parseTimerDuration(duration);
      } catch (err) {
        throw o.error('ERR_COREFILE_VALUE', (err as Error).message);
      }
      if (periodMs <= 0)
        throw o.error(
          'ERR_COREFILE_VALUE',
          `consolidate duration must be positive, got '${duration}'`,
        );
      let pattern: RegExp;
      try {
        pattern = new RegExp(source);
      } catch (err) {
        throw o.error(
          'ERR_COREFILE_VALUE',
          `invalid regexp '${source}': ${(err as Error).message}`,
        );
      }
      if (level !== 'warning' && level !== 'error' && level !== 'info' && level !== 'debug') {
        throw o.error('ERR_COREFILE_VALUE', `unknown log level '${level}'`);
      }
      consolidate.push({ periodMs, pattern, source, level });
    } else {
      throw o.unknownOption();
    }
  }
  return { stacktrace, consolidate };
}
