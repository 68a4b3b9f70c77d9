// deploy/helm/nodelocaldns renders, for each choice of mode and IP family, exactly the objects
// of the matching kustomize variant after the upstream sed (so the schema and Corefile checks
// of manifest.test.ts hold for the chart too).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { renderTemplate } from './helm-render.ts';
import { DEPLOY, KUBE_DNS_IP, yamlDocs } from './render.ts';
import { rendered, VARIANTS } from './variants.ts';

const CHART = join(DEPLOY, 'helm', 'nodelocaldns');
const template = readFileSync(join(CHART, 'templates', 'nodelocaldns.yaml'), 'utf8');
const defaults = parseYaml(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<
  string,
  string
>;

const helmTemplate = (values: Record<string, string>) =>
  yamlDocs(renderTemplate(template, { ...defaults, dnsServer: KUBE_DNS_IP, ...values }));

describe('deploy/helm/nodelocaldns', () => {
  for (const v of VARIANTS) {
    it(`renders the ${v.dir} variant with ${JSON.stringify(v.chart)}`, () => {
      assert.deepEqual(helmTemplate(v.chart), rendered(v));
    });
  }

  it('refuses to render without kube-dns ClusterIP', () => {
    assert.throws(
      () => renderTemplate(template, { ...defaults, dnsServer: '' }),
      /required: set dnsServer/,
    );
  });

  it('the renderer refuses constructs it does not implement', () => {
    assert.throws(() => renderTemplate('{{ .Values.image | quote }}', defaults), /unsupported/);
    assert.throws(() => renderTemplate('{{ .Values.imag }}', defaults), /no value 'imag'/);
    assert.throws(() => renderTemplate('{{ if eq .Values.mode "x" }}', defaults), /without end/);
  });
});
