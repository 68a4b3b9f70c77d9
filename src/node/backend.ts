// The seam between the reconciler and the packet-filter tools.

import type { NodeRule } from './rules.ts';
import type { IpFamily } from './types.ts';

export interface RuleSyncResult {
  readonly added: number;
  readonly removed: number;
}

export interface RulesBackend {
  /** iptables, iptables-legacy, iptables-nft or nftables. */
  readonly name: string;
  /**
   * Makes this agent's installed rules for `families` exactly `rules`: missing ones added, extras
   * and duplicates removed. `sync([], families)` is the teardown.
   */
  sync(rules: readonly NodeRule[], families: readonly IpFamily[]): Promise<RuleSyncResult>;
}

export type RulesErrorType = 'iptables' | 'iptables_lock';

/** A rule tool failed; `errorType` is the setup_errors_total label it counts under. */
export class RulesError extends Error {
  readonly code = 'ERR_NODE_RULES';
  readonly errorType: RulesErrorType;
  constructor(errorType: RulesErrorType, message: string) {
    super(message);
    this.name = 'RulesError';
    this.errorType = errorType;
  }
}

/** node-cache's handleIPTablesError: lock contention is counted apart from other failures. */
export function classifyRulesFailure(stderr: string): RulesErrorType {
  return /xtables lock/i.test(stderr) ? 'iptables_lock' : 'iptables';
}
