import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type Rule, reverseName, rewriteName } from '../../../../src/plugins/rewrite/rules.ts';
import { parseRewrite } from '../../../../src/plugins/rewrite/setup.ts';
import { parseLine, errorOf as setupError } from '../setup-table.ts';

function parse(text: string): Rule {
  const rule = parseLine(text, parseRewrite).rules[0];
  if (rule === undefined) throw new Error('no rule');
  return rule;
}
const errorOf = (text: string): string =>
  setupError(text, parseRewrite).replace(/^ERR_COREFILE_\w+ /, '');

it('normalises names as CoreDNS v1.11 does and rewrites by match type', () => {
  const exact = parse('rewrite name Ex.A.test real.b.test');
  assert.equal(exact.mode, 'stop');
  assert.ok(exact.field === 'name' && exact.auto && exact.match.from === 'ex.a.test.');
  const prefix = parse('rewrite continue name prefix ab cd');
  assert.ok(prefix.field === 'name' && prefix.mode === 'continue' && !prefix.auto);
  if (prefix.field !== 'name') return;
  assert.equal(
    rewriteName(prefix.match, prefix.to, 'abc.test.'),
    undefined,
    "prefix 'ab' is 'ab.'",
  );
  assert.equal(rewriteName(prefix.match, prefix.to, 'ab.test.'), 'cd.test.');
  const sub = parse('rewrite name substring UB xx');
  if (sub.field !== 'name') return;
  assert.equal(rewriteName(sub.match, sub.to, 'sub.a.test.'), 'sxx.a.test.');
  const rx = parse('rewrite name regex ^(.*)-(west)\\.a\\.test\\.$ {1}.{2}.b.test answer auto');
  if (rx.field !== 'name') return;
  assert.equal(rewriteName(rx.match, rx.to, 'ftp-west.a.test.'), 'ftp.west.b.test.');
  assert.equal(
    reverseName(rx, 'ftp-west.a.test.', 'ftp.west.b.test.', 'ftp.west.b.test.'),
    'ftp-west.a.test.',
  );
  const suffix = parse('rewrite name suffix .s.test .b.test answer auto');
  if (suffix.field !== 'name') return;
  assert.equal(reverseName(suffix, '', '', 'target.b.test.'), 'target.s.test.');
});

it('parses type, class, ttl, edns0 and the block form', () => {
  assert.deepEqual(parse('rewrite type ANY HINFO'), {
    mode: 'stop',
    field: 'type',
    from: 255,
    to: 13,
  });
  assert.deepEqual(parse('rewrite class CH IN'), { mode: 'stop', field: 'class', from: 3, to: 1 });
  const ttl = parse('rewrite ttl suffix .a.test 10-20');
  assert.ok(ttl.field === 'ttl' && ttl.min === 10 && ttl.max === 20);
  const open = parse('rewrite ttl a.test -30');
  assert.ok(open.field === 'ttl' && open.min === 0 && open.max === 30);
  const local = parse('rewrite edns0 local set 0xffee 0x6162');
  assert.ok(local.field === 'edns0' && local.edns.option === 'local' && local.edns.code === 0xffee);
  assert.ok(
    local.field === 'edns0' && local.edns.option === 'local' && local.edns.hex?.length === 2,
  );
  const block = parse('rewrite stop {\n name regex (.*)\\.x {1}.y\n answer name (.*)\\.y {1}.x\n}');
  assert.ok(
    block.field === 'name' && block.answer.length === 1 && block.answer[0]?.field === 'name',
  );
});

it('refuses bad rules with file:line', () => {
  assert.match(
    errorOf('rewrite bogus a b'),
    /^Corefile:2 - plugin\/rewrite: invalid rule type 'bogus'/,
  );
  assert.match(errorOf('rewrite name a'), /too few arguments/);
  assert.match(errorOf('rewrite name regex ( b'), /invalid regex matching pattern/);
  assert.match(errorOf('rewrite name exact a b answer sideways'), /unknown answer rule/);
  assert.match(errorOf('rewrite type A BOGUS'), /invalid type 'BOGUS'/);
  assert.match(errorOf('rewrite ttl a.test 20-10'), /invalid TTL range/);
  assert.match(errorOf('rewrite edns0 local set 0xfffff x'), /invalid edns0 local code/);
  assert.match(errorOf('rewrite edns0 subnet set 33 56'), /invalid IPv4 bit mask/);
  assert.match(
    errorOf('rewrite edns0 cookie set'),
    /invalid edns0 action|unsupported edns0 option/,
  );
});
