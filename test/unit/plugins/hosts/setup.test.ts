import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseHosts } from '../../../../src/plugins/hosts/setup.ts';
import { parseHostsText } from '../../../../src/plugins/hosts/table.ts';
import { parseLine, errorOf as setupError } from '../setup-table.ts';

const block = { zones: ['.'], port: 53 };
const parse = (text: string) => parseLine(text, (d) => parseHosts(d, block));
const errorOf = (text: string): string =>
  setupError(text, (d) => parseHosts(d, block)).replace(/^ERR_COREFILE_\w+ /, '');

it('parses the defaults, file, zones, inline entries and options', () => {
  assert.deepEqual(parse('hosts'), {
    path: '/etc/hosts',
    zones: ['.'],
    ttl: 3600,
    reverse: true,
    reloadMs: 5000,
    fallthrough: undefined,
    inline: [],
  });
  const c = parse(
    'hosts my.hosts Example.ORG example.net {\n 10.0.0.1 a.example.org b\n ttl 30\n no_reverse\n reload 0\n fallthrough example.net\n}',
  );
  assert.equal(c.path, 'my.hosts');
  assert.deepEqual(c.zones, ['example.org.', 'example.net.']);
  assert.deepEqual(c.inline, ['10.0.0.1 a.example.org b']);
  assert.equal(c.ttl, 30);
  assert.equal(c.reverse, false);
  assert.equal(c.reloadMs, 0);
  assert.deepEqual(c.fallthrough, ['example.net.']);
  assert.deepEqual(parse('hosts {\n fallthrough\n}').fallthrough, ['.']);
});

it('refuses bad options with file:line', () => {
  assert.equal(
    errorOf('hosts {\n ttl 0\n}'),
    "Corefile:3 - plugin/hosts: ttl provided is invalid: '0' (1 to 65535)",
  );
  assert.match(errorOf('hosts {\n ttl 70000\n}'), /ttl provided is invalid/);
  assert.match(errorOf('hosts {\n reload -1s\n}'), /^Corefile:3 - .*negative duration/);
  assert.match(errorOf('hosts {\n reload soon\n}'), /invalid duration/);
  assert.match(errorOf('hosts {\n 10.0.0.1\n}'), /^Corefile:3 - .*has no host name/);
  assert.match(
    errorOf('hosts {\n bogus 1\n}'),
    /^Corefile:3 - plugin\/hosts: unknown property 'bogus'/,
  );
  assert.match(errorOf('hosts f bad..zone'), /^Corefile:2 - .*invalid zone/);
});

it('parses hosts text as CoreDNS: comments, aliases, zones, both families, reverse', () => {
  const table = parseHostsText(
    '127.0.0.1 localhost # loop\n::1 localhost ip6-localhost\nbogus name\n10.0.0.1 A.Example.ORG other.test\n10.0.0.1\n',
    { zones: ['example.org.', 'localhost.', 'ip6-localhost.'], reverse: true },
  );
  assert.deepEqual([...table.v4.keys()], ['localhost.', 'a.example.org.']);
  assert.deepEqual([...table.v6.keys()], ['localhost.', 'ip6-localhost.']);
  assert.deepEqual(table.byAddress.get('10.0.0.1'), ['a.example.org.']);
  assert.deepEqual(table.byAddress.get('::1'), ['localhost.', 'ip6-localhost.']);
  assert.equal(table.entries, 2 + 2 + 4);
  const noReverse = parseHostsText('10.0.0.1 a.example.org\n', { zones: ['.'], reverse: false });
  assert.equal(noReverse.byAddress.size, 0);
});
