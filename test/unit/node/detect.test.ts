import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectBackend } from '../../../src/node/detect.ts';
import { FakeRunner } from './fake-runner.ts';

const KUBE_PROXY_NFT = JSON.stringify({
  nftables: [{ metainfo: {} }, { table: { family: 'ip', name: 'kube-proxy' } }],
});
const NO_KUBE_PROXY = JSON.stringify({ nftables: [{ table: { family: 'ip', name: 'filter' } }] });

function runner(opts: { nft?: string; legacy?: number; nftRules?: number }): FakeRunner {
  return new FakeRunner((argv) => {
    if (argv[0] === 'nft')
      return opts.nft === undefined ? { code: 127, stderr: 'not found' } : { stdout: opts.nft };
    const n =
      argv[0] === 'iptables-legacy-save'
        ? (opts.legacy ?? 0)
        : argv[0] === 'iptables-nft-save'
          ? (opts.nftRules ?? 0)
          : 0;
    return {
      stdout: Array.from({ length: n }, (_, i) => `-A KUBE-SERVICES -j KUBE-SVC-${i}`).join('\n'),
    };
  });
}

describe('backend detection', () => {
  it('picks nftables when kube-proxy has an nftables table (kubernetes/dns#682)', async () => {
    assert.equal(
      (await selectBackend(runner({ nft: KUBE_PROXY_NFT, legacy: 5 }), 'auto', 5)).name,
      'nftables',
    );
  });

  it("otherwise picks the iptables flavour holding kube-proxy's rules, else the system default", async () => {
    assert.equal(
      (await selectBackend(runner({ nft: NO_KUBE_PROXY, legacy: 7, nftRules: 1 }), 'auto', 5)).name,
      'iptables-legacy',
    );
    assert.equal((await selectBackend(runner({ nftRules: 3 }), 'auto', 5)).name, 'iptables-nft');
    assert.equal((await selectBackend(runner({}), 'auto', 5)).name, 'iptables');
  });

  it('honours the override flag without probing', async () => {
    const r = runner({ nft: KUBE_PROXY_NFT });
    assert.equal((await selectBackend(r, 'iptables-legacy', 5)).name, 'iptables-legacy');
    assert.equal((await selectBackend(r, 'nftables', 5)).name, 'nftables');
    assert.equal(r.calls.length, 0);
  });
});
