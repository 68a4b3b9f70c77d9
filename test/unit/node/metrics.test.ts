import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseListenAddress, startMetricsServer } from '../../../src/node/metrics-server.ts';
import { SetupErrors } from '../../../src/node/setup-errors.ts';
import { memoryLogger } from '../../../src/util/log.ts';

describe('setup error metrics', () => {
  it('exposes all five errortype labels from 0, in Prometheus text format', () => {
    const errors = new SetupErrors();
    const seen: number[] = [];
    errors.onChange((c) => seen.push(c.iptables_lock));
    errors.count('iptables_lock');
    errors.count('iptables_lock');
    assert.deepEqual(seen, [1, 2]);
    assert.equal(
      errors.exposition(),
      [
        '# HELP coredns_nodecache_setup_errors_total The number of errors during periodic network setup for node-cache',
        '# TYPE coredns_nodecache_setup_errors_total counter',
        'coredns_nodecache_setup_errors_total{errortype="iptables"} 0',
        'coredns_nodecache_setup_errors_total{errortype="iptables_lock"} 2',
        'coredns_nodecache_setup_errors_total{errortype="interface_add"} 0',
        'coredns_nodecache_setup_errors_total{errortype="interface_check"} 0',
        'coredns_nodecache_setup_errors_total{errortype="configmap"} 0',
        '',
      ].join('\n'),
    );
  });

  it('parses listen addresses as Go does', () => {
    assert.deepEqual(parseListenAddress('0.0.0.0:9353'), { host: '0.0.0.0', port: 9353 });
    assert.deepEqual(parseListenAddress(':9353'), { host: undefined, port: 9353 });
    assert.deepEqual(parseListenAddress('[::1]:9353'), { host: '::1', port: 9353 });
    assert.equal(parseListenAddress('0'), undefined); // kubernetes/dns#542's suggestion: no port
    assert.equal(parseListenAddress('127.0.0.1:99999'), undefined);
  });

  it('serves /metrics on loopback, and skips the listener (logged) on a bad address', async () => {
    const errors = new SetupErrors();
    const log = memoryLogger();
    const listener = await startMetricsServer('127.0.0.1:0', errors, log);
    assert.ok(listener !== undefined);
    try {
      errors.count('configmap');
      const res = await fetch(`http://127.0.0.1:${listener.address.port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /errortype="configmap"\} 1/);
      assert.equal((await fetch(`http://127.0.0.1:${listener.address.port}/other`)).status, 404);
    } finally {
      await listener.close();
    }
    assert.equal(await startMetricsServer('nonsense', errors, log), undefined);
    assert.ok(log.lines.some((l) => l.includes('invalid -metrics-listen-address')));
  });
});
