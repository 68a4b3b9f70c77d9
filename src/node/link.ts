// The local interface holding the local IPs (node-cache pkg/netif): created with a configurable
// link type (dummy in production; ifb or bridge where the kernel has no dummy), host-prefix
// addresses (/32, /128 without DAD), set UP (node-cache leaves it DOWN, kubernetes/dns#666).

import type { CommandRunner } from './exec.ts';
import { canonicalIp } from './rules.ts';
import { familyOf } from './types.ts';

export type LinkErrorType = 'interface_add' | 'interface_check';

export class LinkError extends Error {
  readonly code = 'ERR_NODE_LINK';
  readonly errorType: LinkErrorType;
  constructor(errorType: LinkErrorType, message: string) {
    super(message);
    this.name = 'LinkError';
    this.errorType = errorType;
  }
}

export interface LinkOptions {
  readonly name: string;
  readonly type: string;
  readonly ips: readonly string[];
}

export interface LinkSyncResult {
  readonly created: boolean;
  readonly addressesAdded: number;
  readonly addressesRemoved: number;
  readonly setUp: boolean;
}

interface LinkState {
  readonly up: boolean;
  /** Global-scope addresses as `ip/prefix`. */
  readonly addresses: readonly string[];
}

/** Parses `ip -j addr show dev NAME`. */
export function parseLinkState(json: string): LinkState | undefined {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  const link = parsed[0] as { flags?: unknown; addr_info?: unknown };
  const flags = Array.isArray(link.flags) ? link.flags : [];
  const infos = Array.isArray(link.addr_info)
    ? (link.addr_info as Array<{ local?: unknown; prefixlen?: unknown; scope?: unknown }>)
    : [];
  const addresses = infos
    .filter((a) => a.scope !== 'link' && a.scope !== 'host' && typeof a.local === 'string')
    .map((a) => `${canonicalIp(String(a.local))}/${String(a.prefixlen)}`);
  return { up: flags.includes('UP'), addresses };
}

export class LinkManager {
  readonly options: LinkOptions;
  readonly #runner: CommandRunner;

  constructor(runner: CommandRunner, options: LinkOptions) {
    this.#runner = runner;
    this.options = options;
  }

  /** Wanted `ip/prefix` strings. */
  wanted(): string[] {
    return this.options.ips.map((ip) => `${canonicalIp(ip)}/${familyOf(ip) === 6 ? 128 : 32}`);
  }

  async ensure(): Promise<LinkSyncResult> {
    const { name, type } = this.options;
    let state = await this.#state();
    let created = false;
    if (state === undefined) {
      await this.#must(['ip', 'link', 'add', name, 'type', type], 'interface_add');
      created = true;
      state = (await this.#state()) ?? { up: false, addresses: [] };
    }
    const wanted = this.wanted();
    let addressesAdded = 0;
    for (const addr of wanted) {
      if (state.addresses.includes(addr)) continue;
      // nodad: the address is usable at once instead of tentative for a second
      const extra = addr.includes(':') ? ['nodad'] : [];
      await this.#must(['ip', 'addr', 'add', addr, 'dev', name, ...extra], 'interface_add');
      addressesAdded += 1;
    }
    let addressesRemoved = 0;
    for (const addr of state.addresses) {
      if (wanted.includes(addr)) continue;
      await this.#must(['ip', 'addr', 'del', addr, 'dev', name], 'interface_check');
      addressesRemoved += 1;
    }
    const setUp = !state.up;
    if (setUp) await this.#must(['ip', 'link', 'set', 'dev', name, 'up'], 'interface_add');
    return { created, addressesAdded, addressesRemoved, setUp };
  }

  /** Deletes the link; a link that is already gone is not an error. */
  async remove(): Promise<boolean> {
    const result = await this.#runner.run(['ip', 'link', 'del', 'dev', this.options.name], {
      timeoutMs: 10_000,
    });
    if (result.code === 0) return true;
    if (/Cannot find device|does not exist/.test(result.stderr)) return false;
    throw new LinkError(
      'interface_check',
      `ip link del ${this.options.name}: ${result.stderr.trim()}`,
    );
  }

  async #state(): Promise<LinkState | undefined> {
    const result = await this.#runner.run(['ip', '-j', 'addr', 'show', 'dev', this.options.name], {
      timeoutMs: 10_000,
    });
    if (result.code !== 0) {
      if (/does not exist|Cannot find device/.test(result.stderr)) return undefined;
      throw new LinkError(
        'interface_check',
        `ip addr show ${this.options.name}: ${result.stderr.trim()}`,
      );
    }
    try {
      return parseLinkState(result.stdout);
    } catch (e) {
      throw new LinkError(
        'interface_check',
        `ip -j addr show ${this.options.name}: unreadable output: ${String(e)}`,
      );
    }
  }

  async #must(argv: readonly string[], type: LinkErrorType): Promise<void> {
    const result = await this.#runner.run(argv, { timeoutMs: 10_000 });
    if (result.code !== 0) throw new LinkError(type, `${argv.join(' ')}: ${result.stderr.trim()}`);
  }
}
