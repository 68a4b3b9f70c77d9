import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlags, UsageError } from '../../../src/cli/flags.ts';
import { FLAG_SPECS } from '../../../src/cli/node-cache-flags.ts';
import { toCliAction } from '../../../src/cli/options.ts';
import { createLogger, type LogSettings } from '../../../src/util/log.ts';

const AT = new Date('2026-01-02T03:04:05.678Z');

function capture(settings: LogSettings): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ sink: (l) => lines.push(l), settings, now: () => AT }) };
}

function logging(argv: string[]): unknown {
  const action = toCliAction(parseFlags(['-localip', '169.254.20.10', ...argv], FLAG_SPECS));
  if (action.kind !== 'run') throw new Error(`expected a run action, got ${action.kind}`);
  return action.logging;
}

describe('log lines', () => {
  it('text: RFC 3339 UTC timestamp, then CoreDNS shape', () => {
    const { lines, log } = capture({ format: 'text', level: 'info', timestamps: true });
    log.forPlugin('reload').info('Running configuration SHA512 = abc');
    log.error('setup: interface_add failed');
    assert.deepEqual(lines, [
      '2026-01-02T03:04:05.678Z [INFO] plugin/reload: Running configuration SHA512 = abc',
      '2026-01-02T03:04:05.678Z [ERROR] setup: interface_add failed',
    ]);
  });

  it('drops lines below the level, for plugin loggers too', () => {
    const { lines, log } = capture({ format: 'text', level: 'warning', timestamps: false });
    const cache = log.forPlugin('cache');
    for (const l of [log, cache]) {
      l.debug('d');
      l.info('i');
      l.warning('w');
      l.error('e');
    }
    assert.deepEqual(lines, [
      '[WARNING] w',
      '[ERROR] e',
      '[WARNING] plugin/cache: w',
      '[ERROR] plugin/cache: e',
    ]);
    const debug = capture({ format: 'text', level: 'debug', timestamps: false });
    debug.log.debug('visible');
    assert.deepEqual(debug.lines, ['[DEBUG] visible']);
  });

  it('json: one parseable object per line, message escaped, plugin only when there is one', () => {
    const { lines, log } = capture({ format: 'json', level: 'info', timestamps: false });
    log.forPlugin('loop').error('Loop (127.0.0.1:53 -> "x"\nnext) detected');
    log.warning('plain');
    log.debug('dropped');
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => !l.includes('\n')));
    assert.deepEqual(JSON.parse(lines[0] ?? ''), {
      time: '2026-01-02T03:04:05.678Z',
      level: 'error',
      plugin: 'loop',
      msg: 'Loop (127.0.0.1:53 -> "x"\nnext) detected',
    });
    assert.deepEqual(JSON.parse(lines[1] ?? ''), {
      time: '2026-01-02T03:04:05.678Z',
      level: 'warning',
      msg: 'plain',
    });
  });
});

describe('-log-format and -log-level', () => {
  it('default to text at info', () => {
    assert.deepEqual(logging([]), { format: 'text', level: 'info' });
  });

  it('take Go flag syntax next to node-cache flags, which keep working', () => {
    assert.deepEqual(
      logging([
        '-conf',
        '/etc/Corefile',
        '-log-format=json',
        '--log-level',
        'debug',
        '-upstreamsvc',
        'kube-dns-upstream',
        '-quiet',
      ]),
      { format: 'json', level: 'debug' },
    );
  });

  it('refuse other values with a usage error naming the flag', () => {
    for (const [flag, value] of [
      ['-log-format', 'logfmt'],
      ['-log-level', 'trace'],
    ] as const) {
      assert.throws(
        () => logging([`${flag}=${value}`]),
        (e: unknown) =>
          e instanceof UsageError &&
          e.code === 'ERR_FLAG_VALUE' &&
          e.message.includes(`"${value}" for flag ${flag}`),
      );
    }
  });
});
