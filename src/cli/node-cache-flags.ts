// node-cache's flags (cmd/node-cache/main.go), the CoreDNS flags it inherits (-conf, -dns.port,
// -pidfile, -version, …) and this project's own additions, with defaults as node-cache prints them.

import type { FlagSpec } from './flags.ts';
import { TCP_LIMIT_DEFAULTS } from './tcp-limit-flags.ts';

const NODE_CACHE = 'node-cache flags';
const COREDNS = 'CoreDNS flags';
const OWN = 'nodelocaldns flags';

export const FLAG_SPECS: readonly FlagSpec[] = [
  // node-cache
  {
    group: NODE_CACHE,
    name: 'localip',
    kind: 'string',
    defaultValue: '',
    usage:
      'comma-separated local IPs to listen on and intercept; IPv4 and IPv6 may be mixed (dual-stack). Required',
  },
  {
    group: NODE_CACHE,
    name: 'setupinterface',
    kind: 'bool',
    defaultValue: 'true',
    usage: 'create and maintain the local interface holding the local IPs',
  },
  {
    group: NODE_CACHE,
    name: 'interfacename',
    kind: 'string',
    defaultValue: 'nodelocaldns',
    usage: 'name of the local interface',
  },
  {
    group: NODE_CACHE,
    name: 'setupiptables',
    kind: 'bool',
    defaultValue: 'true',
    usage:
      'install, maintain and remove the NOTRACK/ACCEPT packet-filter rules (iptables or nftables, see -rules-backend)',
  },
  {
    group: NODE_CACHE,
    name: 'syncinterval',
    kind: 'string',
    defaultValue: '60',
    usage:
      'period of the interface/rule re-check: a bare number or a ns count is seconds (node-cache: 60, 60ns), other units are real durations (60s, 1m)',
  },
  {
    group: NODE_CACHE,
    name: 'metrics-listen-address',
    kind: 'string',
    defaultValue: '0.0.0.0:9353',
    usage:
      "host:port of the agent's own /metrics (coredns_nodecache_setup_errors_total); an unusable address is logged and the listener skipped",
  },
  {
    group: NODE_CACHE,
    name: 'prometheus-listen-address',
    kind: 'string',
    defaultValue: ':9253',
    usage: 'value substituted for __PROMETHEUS__ENDPOINT__ in the Corefile template',
  },
  {
    group: NODE_CACHE,
    name: 'basecorefile',
    kind: 'string',
    defaultValue: '/etc/coredns/Corefile.base',
    usage: 'Corefile template; polled for changes',
  },
  {
    group: NODE_CACHE,
    name: 'corefile',
    kind: 'string',
    defaultValue: '/etc/Corefile',
    usage:
      'rendered Corefile path, used only when -conf is not given (node-cache always writes to -conf)',
  },
  {
    group: NODE_CACHE,
    name: 'kubednscm',
    kind: 'string',
    defaultValue: '',
    usage:
      'directory of the mounted kube-dns ConfigMap (stubDomains, upstreamNameservers); default /etc/kube-dns if it exists',
  },
  {
    group: NODE_CACHE,
    name: 'upstreamsvc',
    kind: 'string',
    defaultValue: 'kube-dns',
    usage: 'Service whose <NAME>_SERVICE_HOST env var replaces __PILLAR__CLUSTER__DNS__',
  },
  {
    group: NODE_CACHE,
    name: 'health-port',
    kind: 'string',
    defaultValue: '8080',
    usage: 'health port; only used for the two NOTRACK rules of the liveness probe traffic',
  },
  {
    group: NODE_CACHE,
    name: 'skipteardown',
    kind: 'bool',
    defaultValue: 'false',
    usage: 'leave rules and interface in place on exit (two instances sharing one IP)',
  },
  {
    group: NODE_CACHE,
    name: 'reloadwithsignal',
    kind: 'bool',
    defaultValue: 'false',
    usage: 'accepted for compatibility; the rendered Corefile is always reloaded in-process',
  },
  // CoreDNS
  {
    group: COREDNS,
    name: 'conf',
    kind: 'string',
    defaultValue: '',
    usage: 'path the rendered Corefile is written to and served from',
  },
  {
    group: COREDNS,
    name: 'dns.port',
    aliases: ['p'],
    kind: 'string',
    defaultValue: '53',
    usage:
      'DNS port used in the rules and stub-domain blocks, and for server blocks without a port (alias -p)',
  },
  {
    group: COREDNS,
    name: 'pidfile',
    kind: 'string',
    defaultValue: '',
    usage: "written with the agent's PID once the server answers queries; removed on exit",
  },
  {
    group: COREDNS,
    name: 'version',
    kind: 'bool',
    defaultValue: 'false',
    usage: 'print the version and exit',
  },
  {
    group: COREDNS,
    name: 'plugins',
    kind: 'bool',
    defaultValue: 'false',
    usage: 'list the supported plugins and exit',
  },
  {
    group: COREDNS,
    name: 'quiet',
    kind: 'bool',
    defaultValue: 'false',
    usage: 'accepted for compatibility',
  },
  // own
  {
    group: OWN,
    name: 'interfacetype',
    kind: 'string',
    defaultValue: 'dummy',
    usage: 'link type of the local interface (dummy; ifb or bridge where the kernel lacks dummy)',
  },
  {
    group: OWN,
    name: 'rules-backend',
    kind: 'string',
    defaultValue: 'auto',
    usage:
      'auto, iptables, iptables-legacy, iptables-nft or nftables; auto picks nftables when kube-proxy runs in nftables mode',
  },
  {
    group: OWN,
    name: 'iptables-wait',
    kind: 'string',
    defaultValue: '5',
    usage: 'seconds to wait for the xtables lock (iptables -w)',
  },
  {
    group: OWN,
    name: 'resolvconf',
    kind: 'string',
    defaultValue: '/etc/resolv.conf',
    usage:
      'file substituted for __PILLAR__UPSTREAM__SERVERS__ when the kube-dns ConfigMap sets no upstreamNameservers',
  },
  {
    group: OWN,
    name: 'configsyncinterval',
    kind: 'string',
    defaultValue: '10s',
    usage: 'poll period of the template and kube-dns ConfigMap directories',
  },
  {
    group: OWN,
    name: 'log-format',
    kind: 'string',
    defaultValue: 'text',
    usage:
      'text (an RFC 3339 timestamp, then CoreDNS\'s "[LEVEL] plugin/name: message") or json (one object per line: time, level, plugin, msg)',
  },
  {
    group: OWN,
    name: 'log-level',
    kind: 'string',
    defaultValue: 'info',
    usage: 'lowest level logged: debug, info, warning or error',
  },
  {
    group: OWN,
    name: 'restart-delay',
    kind: 'string',
    defaultValue: '500ms',
    usage:
      'delay before retrying a server start that failed (a port still taken, a Corefile refused)',
  },
  {
    group: OWN,
    name: 'workers',
    kind: 'string',
    defaultValue: '1',
    usage:
      'threads serving DNS, each with its own sockets on the same addresses: a number, or auto (the CPUs the cgroup quota and CPU set allow, at most 4)',
  },
  {
    group: OWN,
    name: 'tcp-max-connections',
    kind: 'string',
    defaultValue: TCP_LIMIT_DEFAULTS['tcp-max-connections'],
    usage:
      'DNS-over-TCP connections per listener; at the cap the idlest connection of the client holding the most is closed for a newcomer',
  },
  {
    group: OWN,
    name: 'tcp-max-connections-per-client',
    kind: 'string',
    defaultValue: TCP_LIMIT_DEFAULTS['tcp-max-connections-per-client'],
    usage:
      'DNS-over-TCP connections per client address (every hostNetwork pod shares the node address); more are closed at once',
  },
  {
    group: OWN,
    name: 'tcp-idle-timeout',
    kind: 'string',
    defaultValue: TCP_LIMIT_DEFAULTS['tcp-idle-timeout'],
    usage: 'close a DNS-over-TCP connection with nothing in flight after this long (CoreDNS: 10s)',
  },
  {
    group: OWN,
    name: 'tcp-read-timeout',
    kind: 'string',
    defaultValue: TCP_LIMIT_DEFAULTS['tcp-read-timeout'],
    usage:
      'absolute deadline for one DNS-over-TCP query, from its first byte (and for the first query, from connect; CoreDNS: 3s)',
  },
];
