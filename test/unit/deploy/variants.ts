// The deploy variants the tests render: a kustomize directory, the sed options that fill it,
// the chart values that must give the same objects, and what the result must contain.

import { join } from 'node:path';
import {
  asYaml,
  DEPLOY,
  type FillOptions,
  fillPlaceholders,
  kustomize,
  type Obj,
  yamlDocs,
} from './render.ts';

export interface Variant {
  dir: string;
  fill: FillOptions;
  /** The chart values giving the same objects. */
  chart: Readonly<Record<string, string>>;
  /** -localip after the sed. */
  localIps: string;
  nodeIp: string;
  health: string;
  status: string;
}

export const VARIANTS: Variant[] = [
  {
    dir: 'base',
    chart: { mode: 'iptables', ipFamily: 'ipv4' },
    fill: {},
    localIps: '169.254.20.10,10.96.0.10',
    nodeIp: '10.0.0.5',
    health: '169.254.20.10|8080',
    status: '127.0.0.1|9254',
  },
  {
    dir: 'overlays/ipvs',
    chart: { mode: 'ipvs', ipFamily: 'ipv4' },
    fill: { mode: 'ipvs' },
    localIps: '169.254.20.10',
    nodeIp: '10.0.0.5',
    health: '169.254.20.10|8080',
    status: '127.0.0.1|9254',
  },
  {
    dir: 'overlays/ipv6',
    chart: { mode: 'iptables', ipFamily: 'ipv6', localDns: 'fd00::10', dnsServer: 'fd00:96::a' },
    fill: { localDns: 'fd00::10', dnsServer: 'fd00:96::a' },
    localIps: 'fd00::10,fd00:96::a',
    nodeIp: '2001:db8::5',
    health: 'fd00::10|8080',
    status: '::1|9254',
  },
  {
    dir: 'overlays/dual-stack',
    chart: { mode: 'iptables', ipFamily: 'dual-stack' },
    fill: { localDns6: 'fd00::10' },
    localIps: '169.254.20.10,fd00::10,10.96.0.10',
    nodeIp: '10.0.0.5',
    health: '169.254.20.10|8080',
    status: '127.0.0.1|9254',
  },
];

export const rendered = (v: Variant): Obj[] =>
  yamlDocs(fillPlaceholders(asYaml(kustomize(join(DEPLOY, 'kustomize', v.dir))), v.fill));
