import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDurationNs, parseSyncIntervalMs } from '../../../src/cli/duration.ts';
import { parseFlags, UsageError } from '../../../src/cli/flags.ts';
import { FLAG_SPECS } from '../../../src/cli/node-cache-flags.ts';
import { toCliAction } from '../../../src/cli/options.ts';
import { usageText } from '../../../src/cli/usage.ts';
import type { AgentOptions } from '../../../src/node/types.ts';

function run(argv: string[]): AgentOptions {
  const action = toCliAction(parseFlags(argv, FLAG_SPECS));
  assert.equal(action.kind, 'run');
  if (action.kind !== 'run') throw new Error('unreachable');
  return action.options;
}

function usageError(argv: string[], code: string, re?: RegExp): void {
  assert.throws(
    () => toCliAction(parseFlags(argv, FLAG_SPECS)),
    (e: unknown) =>
      e instanceof UsageError && e.code === code && (re === undefined || re.test(e.message)),
  );
}

describe('cli flags', () => {
  it('accepts the sample manifest args unchanged', () => {
    const o = run([
      '-localip',
      '169.254.20.10,10.0.0.10',
      '-conf',
      '/etc/Corefile',
      '-upstreamsvc',
      'kube-dns-upstream',
      '-pidfile',
      '/tmp/node-cache.pid',
    ]);
    assert.deepEqual(o.localIps, ['169.254.20.10', '10.0.0.10']);
    assert.equal(o.corefilePath, '/etc/Corefile');
    assert.equal(o.upstreamSvc, 'kube-dns-upstream');
    assert.equal(o.pidfile, '/tmp/node-cache.pid');
    // node-cache defaults
    assert.equal(o.setupInterface, true);
    assert.equal(o.setupRules, true);
    assert.equal(o.interfaceName, 'nodelocaldns');
    assert.equal(o.interfaceType, 'dummy');
    assert.equal(o.syncIntervalMs, 60_000);
    assert.equal(o.metricsListenAddress, '0.0.0.0:9353');
    assert.equal(o.prometheusListenAddress, ':9253');
    assert.equal(o.baseCorefile, '/etc/coredns/Corefile.base');
    assert.equal(o.healthPort, 8080);
    assert.equal(o.dnsPort, 53);
    assert.equal(o.skipTeardown, false);
    assert.equal(o.kubeDnsConfigDir, undefined);
  });

  it('parses every node-cache flag in -flag value, -flag=value and --flag forms', () => {
    const pairs: Array<[string, string]> = [
      ['localip', '169.254.20.10'],
      ['conf', '/x/Corefile'],
      ['basecorefile', '/t/Corefile.base'],
      ['corefile', '/ignored'],
      ['kubednscm', '/etc/kube-dns'],
      ['upstreamsvc', 'kube-dns-upstream'],
      ['interfacename', 'nld0'],
      ['syncinterval', '30s'],
      ['health-port', '8081'],
      ['metrics-listen-address', '127.0.0.1:9353'],
      ['prometheus-listen-address', '127.0.0.1:9253'],
      ['pidfile', '/tmp/p'],
      ['dns.port', '5353'],
    ];
    for (const style of ['space', 'eq', 'double'] as const) {
      const argv = pairs.flatMap(([k, v]) =>
        style === 'space' ? [`-${k}`, v] : style === 'eq' ? [`-${k}=${v}`] : [`--${k}`, v],
      );
      const o = run(argv);
      assert.deepEqual(o.localIps, ['169.254.20.10']);
      assert.equal(o.corefilePath, '/x/Corefile');
      assert.equal(o.baseCorefile, '/t/Corefile.base');
      assert.equal(o.kubeDnsConfigDir, '/etc/kube-dns');
      assert.equal(o.interfaceName, 'nld0');
      assert.equal(o.syncIntervalMs, 30_000);
      assert.equal(o.healthPort, 8081);
      assert.equal(o.metricsListenAddress, '127.0.0.1:9353');
      assert.equal(o.prometheusListenAddress, '127.0.0.1:9253');
      assert.equal(o.pidfile, '/tmp/p');
      assert.equal(o.dnsPort, 5353);
    }
  });

  it('takes -p as an alias of -dns.port and lets the last flag win', () => {
    assert.equal(run(['-localip=169.254.20.10', '-p', '1053']).dnsPort, 1053);
    assert.equal(run(['-localip=169.254.20.10', '-dns.port=1', '-p=2']).dnsPort, 2);
  });

  it('handles booleans as Go does: -flag, --flag, -flag=false, -flag=0, -flag=T', () => {
    const base = ['-localip', '169.254.20.10'];
    assert.equal(run([...base, '-skipteardown']).skipTeardown, true);
    assert.equal(run([...base, '--skipteardown']).skipTeardown, true);
    assert.equal(run([...base, '-skipteardown=T']).skipTeardown, true);
    assert.equal(run([...base, '-setupiptables=false']).setupRules, false);
    assert.equal(run([...base, '--setupinterface=0']).setupInterface, false);
    assert.equal(run([...base, '-reloadwithsignal']).localIps.length, 1);
    usageError([...base, '-setupiptables=nope'], 'ERR_FLAG_VALUE', /invalid boolean value "nope"/);
    // `-flag false` is not Go syntax: `false` ends the flags and is an extra argument
    usageError([...base, '-skipteardown', 'false'], 'ERR_FLAG_EXTRA_ARGS');
  });

  it('reads -syncinterval as node-cache does (60 and 60ns are 60 s) and as a real duration', () => {
    for (const [text, ms] of [
      ['60', 60_000],
      ['60ns', 60_000],
      ['60s', 60_000],
      ['1m', 60_000],
      ['1m30s', 90_000],
      ['500ms', 500],
      ['2', 2000],
    ] as const) {
      assert.equal(parseSyncIntervalMs(text), ms, text);
      assert.equal(run(['-localip', '169.254.20.10', `-syncinterval=${text}`]).syncIntervalMs, ms);
    }
    for (const bad of ['', '0', '-5s', 'abc', '10x', '0s'])
      assert.throws(() => parseSyncIntervalMs(bad), UsageError, bad);
  });

  it('parses Go durations', () => {
    assert.equal(parseGoDurationNs('1h2m3.5s'), 3723.5e9);
    assert.equal(parseGoDurationNs('0'), 0);
    assert.equal(parseGoDurationNs('-1.5ms'), -1.5e6);
    assert.equal(parseGoDurationNs('10'), undefined);
    assert.equal(parseGoDurationNs('s'), undefined);
  });

  it('accepts IPv4, IPv6 and dual-stack -localip lists and rejects bad ones', () => {
    assert.deepEqual(run(['-localip', 'fd00::10,169.254.20.10']).localIps, [
      'fd00::10',
      '169.254.20.10',
    ]);
    usageError([], 'ERR_FLAG_VALUE', /-localip is required/);
    usageError(['-localip', ''], 'ERR_FLAG_VALUE', /-localip is required/);
    usageError(['-localip', '169.254.20.10,nope'], 'ERR_FLAG_VALUE', /invalid localip "nope"/);
    usageError(['-localip', '169.254.20.10,169.254.20.10'], 'ERR_FLAG_VALUE', /duplicate/);
  });

  it('rejects unknown flags, missing values, bad ports and bad syntax with a UsageError', () => {
    usageError(
      ['-localip', '169.254.20.10', '-nosuch'],
      'ERR_FLAG_UNKNOWN',
      /flag provided but not defined: -nosuch/,
    );
    usageError(['-localip'], 'ERR_FLAG_MISSING_VALUE', /flag needs an argument: -localip/);
    usageError(['-localip', '169.254.20.10', '-health-port', 'x'], 'ERR_FLAG_VALUE', /health-port/);
    usageError(['-localip', '169.254.20.10', '-dns.port', '70000'], 'ERR_FLAG_VALUE', /dns.port/);
    usageError(['-localip', '169.254.20.10', '---x'], 'ERR_FLAG_SYNTAX');
    usageError(['-localip', '169.254.20.10', '-=x'], 'ERR_FLAG_SYNTAX');
    usageError(
      ['-localip', '169.254.20.10', '-rules-backend', 'pf'],
      'ERR_FLAG_VALUE',
      /rules-backend/,
    );
    usageError(
      ['-localip', '169.254.20.10', '-interfacename', 'a-name-that-is-too-long'],
      'ERR_FLAG_VALUE',
    );
  });

  it('reads -workers as a count or auto, 1 by default', () => {
    const ip = ['-localip', '169.254.20.10'];
    assert.equal(run(ip).workers, 1);
    assert.equal(run([...ip, '-workers', '4']).workers, 4);
    assert.equal(run([...ip, '-workers=auto']).workers, 'auto');
    for (const bad of ['0', '-1', 'two', '1.5', '257'])
      usageError([...ip, `-workers=${bad}`], 'ERR_FLAG_VALUE', /-workers/);
  });

  it('stops at -- and at the first non-flag, as Go does', () => {
    const parsed = parseFlags(['-localip', '169.254.20.10', '--', '-conf', 'x'], FLAG_SPECS);
    assert.deepEqual(parsed.rest, ['-conf', 'x']);
    assert.deepEqual(parseFlags(['-', '-conf', 'x'], FLAG_SPECS).rest, ['-', '-conf', 'x']);
  });

  it('returns help, version and plugins actions', () => {
    for (const h of ['-h', '-help', '--help', '--h'])
      assert.deepEqual(toCliAction(parseFlags([h], FLAG_SPECS)), { kind: 'help' });
    assert.deepEqual(toCliAction(parseFlags(['-version'], FLAG_SPECS)), { kind: 'version' });
    assert.deepEqual(toCliAction(parseFlags(['--plugins'], FLAG_SPECS)), { kind: 'plugins' });
  });

  it('documents every flag in the usage text', () => {
    const text = usageText(FLAG_SPECS);
    for (const spec of FLAG_SPECS)
      assert.match(text, new RegExp(`^  -${spec.name.replace('.', '\\.')}\\b`, 'm'), spec.name);
    assert.match(text, /-dns\.port, -p value/);
    assert.match(text, /\(default "0\.0\.0\.0:9353"\)/);
  });
});
