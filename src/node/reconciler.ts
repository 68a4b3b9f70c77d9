// Keeps the node in the wanted state: the interface and the rules (which divert packets only while
// an agent socket is bound, so they may stay in while the server restarts). Every change is serialised so a periodic sync never interleaves with
// an "serving stopped → pull the rules" transition. Errors are logged and counted, never thrown.

import type { Logger } from '../util/log.ts';
import { type RulesBackend, RulesError } from './backend.ts';
import { LinkError, type LinkManager } from './link.ts';
import { buildRules, type FallbackTargets, type NodeRule } from './rules.ts';
import { familyOf, type InterceptionState, type IpFamily, type SetupErrorSink } from './types.ts';

export interface ReconcilerOptions {
  readonly localIps: readonly string[];
  readonly dnsPort: number;
  readonly healthPort: number;
  /** kube-dns-upstream per family, for the link-local fallback (rules.ts). */
  readonly fallback?: FallbackTargets;
  /** undefined when -setupinterface=false */
  readonly link: LinkManager | undefined;
  /** undefined when -setupiptables=false; a function so detection runs once, lazily */
  readonly backend: (() => Promise<RulesBackend>) | undefined;
  readonly errors: SetupErrorSink;
  readonly log: Logger;
  /** Told after every check of the interface or the rules. */
  readonly onStatus?: (state: InterceptionState) => void;
}

export class Reconciler {
  readonly rules: readonly NodeRule[];
  readonly families: readonly IpFamily[];
  readonly #o: ReconcilerOptions;
  #backend: RulesBackend | undefined;
  #rulesWanted = false;
  #queue: Promise<unknown> = Promise.resolve();
  #status: InterceptionState = { backend: '', rules: 0, addresses: [] };

  constructor(options: ReconcilerOptions) {
    this.#o = options;
    this.rules = buildRules(
      options.localIps,
      options.dnsPort,
      options.healthPort,
      options.fallback,
    );
    this.families = [...new Set(options.localIps.map(familyOf))].sort();
  }

  /** The backend in use (after the first rule sync). */
  get backendName(): string | undefined {
    return this.#backend?.name;
  }

  /** Interface and rules as wanted now; resolves true when everything succeeded. */
  sync(): Promise<boolean> {
    return this.#serial(async () => {
      const link = await this.#ensureLink();
      const rules = await this.#syncRules(this.#rulesWanted ? this.rules : []);
      return link && rules;
    });
  }

  /** Interface only (startup, before the server serves). */
  ensureInterface(): Promise<boolean> {
    return this.#serial(() => this.#ensureLink());
  }

  /** Turns interception on or off now. */
  setRulesWanted(wanted: boolean): Promise<boolean> {
    this.#rulesWanted = wanted;
    return this.#serial(() => this.#syncRules(wanted ? this.rules : []));
  }

  /** Rules out, then the interface (the order of kubernetes/dns#690). */
  teardown(): Promise<boolean> {
    this.#rulesWanted = false;
    return this.#serial(async () => {
      const rules = await this.#syncRules([]);
      let link = true;
      if (this.#o.link !== undefined) {
        try {
          if (await this.#o.link.remove())
            this.#o.log.info(`removed interface ${this.#o.link.options.name}`);
        } catch (e) {
          link = false;
          this.#o.log.error(`teardown: ${errorText(e)}`);
        }
      }
      return rules && link;
    });
  }

  #report(change: Partial<InterceptionState>): void {
    this.#status = { ...this.#status, ...change };
    this.#o.onStatus?.(this.#status);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #ensureLink(): Promise<boolean> {
    const link = this.#o.link;
    if (link === undefined) return true;
    try {
      const r = await link.ensure();
      this.#report({ addresses: link.wanted() });
      if (r.created)
        this.#o.log.info(
          `added interface ${link.options.name} (${link.options.type}) with ${link.wanted().join(', ')}`,
        );
      else if (r.addressesAdded > 0 || r.addressesRemoved > 0 || r.setUp) {
        this.#o.log.info(
          `repaired interface ${link.options.name}: +${r.addressesAdded} -${r.addressesRemoved} addresses${r.setUp ? ', set up' : ''}`,
        );
      }
      return true;
    } catch (e) {
      this.#report({ addresses: [] });
      const type = e instanceof LinkError ? e.errorType : 'interface_check';
      this.#o.errors.count(type);
      this.#o.log.error(`interface: ${errorText(e)}`);
      return false;
    }
  }

  async #syncRules(rules: readonly NodeRule[]): Promise<boolean> {
    if (this.#o.backend === undefined) return true;
    try {
      this.#backend ??= await this.#o.backend();
      const r = await this.#backend.sync(rules, this.families);
      this.#report({ backend: this.#backend.name, rules: rules.length });
      if (r.added > 0 || r.removed > 0) {
        this.#o.log.info(
          `${this.#backend.name}: ${rules.length === 0 ? 'removed' : 'synced'} rules (+${r.added} -${r.removed})`,
        );
      }
      return true;
    } catch (e) {
      this.#o.errors.count(e instanceof RulesError ? e.errorType : 'iptables');
      this.#o.log.error(`rules: ${errorText(e)}`);
      return false;
    }
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
