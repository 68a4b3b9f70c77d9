// src/cli.ts as a process: exit codes and output of --help, -version and bad flags.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../src/cli.ts', import.meta.url));

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli process', () => {
  it('--help prints every flag and exits 0', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    for (const flag of [
      '-localip',
      '-conf',
      '-basecorefile',
      '-corefile',
      '-kubednscm',
      '-upstreamsvc',
      '-setupinterface',
      '-interfacename',
      '-setupiptables',
      '-skipteardown',
      '-syncinterval',
      '-health-port',
      '-metrics-listen-address',
      '-prometheus-listen-address',
      '-pidfile',
      '-reloadwithsignal',
      '-dns.port',
      '-version',
    ]) {
      assert.match(r.stdout, new RegExp(`^  ${flag.replace('.', '\\.')}\\b`, 'm'), flag);
    }
  });

  it('a bad flag exits 2 with the message and the usage on stderr', () => {
    const r = run(['-localip', '169.254.20.10', '-nosuchflag']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^flag provided but not defined: -nosuchflag\nUsage: nodelocaldns/);
    const missing = run([]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /-localip is required/);
  });

  it('-version prints the version and exits 0', () => {
    const r = run(['-version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^nodelocaldns-\d+\.\d+\.\d+/);
  });
});
