import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeReport } from '../../../../src/plugins/prometheus/node-report.ts';

const exposition = (servfails: number, started: number): string =>
  [
    'coredns_build_info{goversion="v24",revision="",version="0.1.0"} 1',
    `process_start_time_seconds ${started}`,
    'nodelocaldns_config_loaded_timestamp_seconds 990',
    'nodelocaldns_interception_rules{backend="nftables"} 24',
    'nodelocaldns_interface_addresses 2',
    'coredns_nodecache_setup_errors_total{errortype="iptables"} 0',
    'coredns_nodecache_setup_errors_total{errortype="configmap"} 3',
    'coredns_reload_version_info{hash="sha512",value="abc123"} 1',
    'coredns_cache_entries{server="dns://127.0.0.1:53",type="denial",view="",zones="cluster.local."} 4',
    'coredns_cache_entries{server="dns://127.0.0.1:53",type="success",view="",zones="cluster.local."} 10',
    `coredns_dns_responses_total{plugin="",rcode="SERVFAIL",server="a",type="A",view="",zone="."} ${servfails}`,
    'coredns_dns_responses_total{plugin="",rcode="NOERROR",server="a",type="A",view="",zone="."} 50',
    '',
  ].join('\n');

describe('node report (status page)', () => {
  it('reads version, uptime, interception, errors, config and caches; rates rcodes between reads', () => {
    let now = 1_000_000;
    const report = new NodeReport(() => now);
    const first = report.observe(exposition(10, 900));
    assert.equal(first.version, '0.1.0');
    assert.equal(first.uptimeSeconds, 100);
    assert.deepEqual(first.interception, { backend: 'nftables', rules: 24, addresses: 2 });
    assert.deepEqual(first.setupErrors, { iptables: 0, configmap: 3 });
    assert.equal(first.configHash, 'abc123');
    assert.equal(first.configAgeSeconds, 10);
    assert.deepEqual(first.caches, [
      { server: 'dns://127.0.0.1:53', zones: 'cluster.local.', success: 10, denial: 4 },
    ]);
    assert.equal(first.rcodesPerSecond, null, 'no rate from one read');
    now += 2000;
    const second = report.observe(exposition(30, 900));
    assert.deepEqual(second.rcodesPerSecond, { SERVFAIL: 10, REFUSED: 0, NXDOMAIN: 0 });
  });

  it('says standalone when no node agent reports interception', () => {
    assert.equal(
      new NodeReport().observe('coredns_build_info{version="0.1.0"} 1\n').interception,
      null,
    );
  });
});
