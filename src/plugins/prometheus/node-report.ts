// The status page's "Node" panel, read from the exposition every collector produces (so this
// plugin names no other plugin): version, uptime, whether the node diverts DNS here (rules and
// interface addresses, from the node agent), setup errors, the running config's hash and age,
// cache sizes per server block, and SERVFAIL/REFUSED/NXDOMAIN per second between two reads.

export interface CacheSize {
  readonly server: string;
  readonly zones: string;
  readonly success: number;
  readonly denial: number;
}

export interface NodeStatus {
  readonly version: string;
  readonly uptimeSeconds: number | null;
  /** null when the app runs without the node agent (standalone). */
  readonly interception: { backend: string; rules: number; addresses: number } | null;
  readonly setupErrors: Readonly<Record<string, number>>;
  readonly configHash: string | null;
  readonly configAgeSeconds: number | null;
  readonly caches: readonly CacheSize[];
  /** Per second since the previous read; null on the first one. */
  readonly rcodesPerSecond: { SERVFAIL: number; REFUSED: number; NXDOMAIN: number } | null;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const RATED = ['SERVFAIL', 'REFUSED', 'NXDOMAIN'] as const;

interface Sample {
  readonly name: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly value: number;
}

function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (m === null) continue;
    const labels = new Map<string, string>();
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels.set(l[1] ?? '', l[2] ?? '');
    out.push({ name: m[1] ?? '', labels, value: Number(m[3]) });
  }
  return out;
}

export class NodeReport {
  readonly #now: () => number;
  #previous: { at: number; counts: Record<string, number> } | undefined;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  observe(exposition: string): NodeStatus {
    const all = samples(exposition);
    const one = (name: string): Sample | undefined => all.find((s) => s.name === name);
    const nowSeconds = this.#now() / 1000;
    const started = one('process_start_time_seconds')?.value;
    const loaded = one('nodelocaldns_config_loaded_timestamp_seconds')?.value;
    const rules = one('nodelocaldns_interception_rules');
    const setupErrors: Record<string, number> = {};
    const counts: Record<string, number> = { SERVFAIL: 0, REFUSED: 0, NXDOMAIN: 0 };
    const caches = new Map<
      string,
      { server: string; zones: string; success: number; denial: number }
    >();
    for (const s of all) {
      if (s.name === 'coredns_nodecache_setup_errors_total')
        setupErrors[s.labels.get('errortype') ?? ''] = s.value;
      else if (s.name === 'coredns_dns_responses_total') {
        const rcode = s.labels.get('rcode') ?? '';
        if (rcode in counts) counts[rcode] = (counts[rcode] ?? 0) + s.value;
      } else if (s.name === 'coredns_cache_entries') {
        const server = s.labels.get('server') ?? '';
        const zones = s.labels.get('zones') ?? '';
        const key = `${server} ${zones}`;
        const c = caches.get(key) ?? { server, zones, success: 0, denial: 0 };
        if (s.labels.get('type') === 'success') c.success = s.value;
        else if (s.labels.get('type') === 'denial') c.denial = s.value;
        caches.set(key, c);
      }
    }
    const at = this.#now();
    const previous = this.#previous;
    this.#previous = { at, counts };
    const seconds = previous === undefined ? 0 : (at - previous.at) / 1000;
    const rate = (rcode: (typeof RATED)[number]): number =>
      Math.max(0, ((counts[rcode] ?? 0) - (previous?.counts[rcode] ?? 0)) / seconds);
    return {
      version: one('coredns_build_info')?.labels.get('version') ?? '',
      uptimeSeconds: started === undefined ? null : Math.max(0, Math.round(nowSeconds - started)),
      interception:
        rules === undefined
          ? null
          : {
              backend: rules.labels.get('backend') ?? '',
              rules: rules.value,
              addresses: one('nodelocaldns_interface_addresses')?.value ?? 0,
            },
      setupErrors,
      configHash: one('coredns_reload_version_info')?.labels.get('value') ?? null,
      configAgeSeconds:
        loaded === undefined || loaded === 0 ? null : Math.max(0, Math.round(nowSeconds - loaded)),
      caches: [...caches.values()],
      rcodesPerSecond:
        seconds > 0
          ? { SERVFAIL: rate('SERVFAIL'), REFUSED: rate('REFUSED'), NXDOMAIN: rate('NXDOMAIN') }
          : null,
    };
  }
}
