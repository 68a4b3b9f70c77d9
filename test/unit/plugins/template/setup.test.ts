import assert from 'node:assert/strict';
import { it } from 'node:test';
import { goRegExp } from '../../../../src/config/go-regexp.ts';
import { ExpositionWriter } from '../../../../src/metrics/exposition.ts';
import {
  compileTemplate,
  type TemplateData,
} from '../../../../src/plugins/template/go-template.ts';
import { TemplateCounters } from '../../../../src/plugins/template/metrics.ts';
import { parseTemplate } from '../../../../src/plugins/template/setup.ts';
import { parseLine, errorOf as setupError } from '../setup-table.ts';

const block = { zones: ['cluster.local.'], port: 53 };
const parse = (text: string) => parseLine(text, (d) => parseTemplate(d, block));
const errorOf = (text: string): string =>
  setupError(text, (d) => parseTemplate(d, block)).replace(/^ERR_COREFILE_\w+ /, '');

const data: TemplateData = {
  name: 'web.example.org.',
  type: 'A',
  class: 'IN',
  zone: 'example.org.',
  regex: '^(?<h>[a-z]+)\\.',
  match: ['web.', 'web'],
  group: new Map([
    ['0', 'web.'],
    ['1', 'web'],
    ['h', 'web'],
  ]),
  qtype: 1,
  qclass: 1,
  id: 4242,
};

it('parses class, type, zones and options', () => {
  const rule = parse('template ANY AAAA {\n rcode NOERROR\n}').rules[0];
  assert.equal(rule?.qclass, 255);
  assert.equal(rule?.qtype, 28);
  assert.deepEqual(rule?.zones, ['cluster.local.']);
  assert.equal(rule?.regex[0]?.source, '.*');
  const r = parse(
    'template IN A Example.org "a.test b.test" {\n match ^x ^y\n answer "{{ .Name }} 60 IN A 10.0.0.1"\n rcode NXDOMAIN\n fallthrough a.test\n upstream\n}',
  ).rules[0];
  assert.deepEqual(r?.zones, ['example.org.', 'a.test.', 'b.test.']);
  assert.equal(r?.regex.length, 2);
  assert.equal(r?.answer.length, 1);
  assert.equal(r?.rcode, 3);
  assert.deepEqual(r?.fallthrough, ['a.test.']);
});

it('refuses bad lines with file:line', () => {
  assert.match(errorOf('template IN'), /^Corefile:2 - plugin\/template: .*wrong argument count/);
  assert.match(errorOf('template XX A'), /invalid query class XX/);
  assert.match(errorOf('template IN BOGUS'), /invalid RR class BOGUS/);
  assert.match(errorOf('template IN A {\n match (\n}'), /^Corefile:3 - .*could not parse regex/);
  assert.match(
    errorOf('template IN A {\n answer "{{ .Name"\n}'),
    /^Corefile:3 - .*unclosed action/,
  );
  assert.match(
    errorOf('template IN A {\n answer "{{ range .Match }}"\n}'),
    /unsupported template action/,
  );
  assert.match(errorOf('template IN A {\n rcode MAYBE\n}'), /unknown rcode MAYBE/);
  assert.match(errorOf('template IN A {\n bogus\n}'), /^Corefile:3 - .*unknown property 'bogus'/);
});

it('renders the Go-template subset as Go prints it', () => {
  const render = (s: string): string => compileTemplate(s).render(data);
  assert.equal(
    render('{{ .Name }} {{.Type}} {{ .Class }} {{ .Zone }}'),
    'web.example.org. A IN example.org.',
  );
  assert.equal(render('{{ .Match }}|{{ index .Match 1 }}'), '[web. web]|web');
  assert.equal(
    render('{{ .Group.h }}|{{ index .Group "h" }}|{{ .Group.x }}|{{ index .Group "x" }}'),
    'web|web|<no value>|',
  );
  assert.equal(render('{{ .Group }}'), 'map[0:web. 1:web h:web]');
  assert.equal(render('{{ .Question.Qtype }} {{ .Message.Id }} [{{ .Meta "x" }}]'), '1 4242 []');
  assert.equal(render('a  {{- .Type -}}  b{{/* gone */}}'), 'aAb');
  assert.throws(() => render('{{ index .Match 3 }}'), /index out of range: 3/);
  assert.equal(
    compileTemplate('{{  index   .Match 4 }} 60 IN A 1.2.3.4').canonical,
    '{{index .Match 4}} 60 IN A 1.2.3.4',
  );
});

it('translates Go regexps', () => {
  assert.equal(goRegExp('^(?P<h>[a-z]+)\\.x$').exec('ab.x')?.groups?.['h'], 'ab');
  assert.ok(goRegExp('(?i)^ABC').test('abc'));
  assert.ok(goRegExp('\\Aabc\\z').test('abc'));
  assert.throws(() => goRegExp('a(?i)b'), /inline flags/);
  assert.throws(() => goRegExp('[[:alpha:]]'), /POSIX/);
});

it('counts as CoreDNS labels them, printing only families with series', () => {
  const counters = new TemplateCounters();
  const w0 = new ExpositionWriter();
  counters.collect(w0);
  assert.equal(w0.toString().trim(), '');
  counters.matched('dns://127.0.0.1:53', data);
  counters.matched('dns://127.0.0.1:53', data);
  counters.failed('rr', 'dns://127.0.0.1:53', data, 'answer', compileTemplate('{{ .Name }} A'));
  const w = new ExpositionWriter();
  counters.collect(w);
  const text = w.toString();
  assert.match(
    text,
    /^coredns_template_matches_total\{server="dns:\/\/127\.0\.0\.1:53",zone="example\.org\.",view="",class="IN",type="A"\} 2$/m,
  );
  assert.match(
    text,
    /^coredns_template_rr_failures_total\{.*section="answer",template="\{\{\.Name\}\} A"\} 1$/m,
  );
  assert.doesNotMatch(text, /template_failures_total/);
});
