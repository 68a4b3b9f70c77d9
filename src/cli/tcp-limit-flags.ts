// The TCP limits an operator may need to change, as flags (CoreDNS and node-cache have no knob
// for them). The caps matter most: every hostNetwork pod on a node shares the node's address,
// so they all count as one client against -tcp-max-connections-per-client. The frame size,
// pipelining and write-backlog caps are protocol-level guards and stay constants.

import { DEFAULT_TCP_LIMITS, type TcpLimits } from '../server/tcp-limits.ts';
import { parseDurationMs } from './duration.ts';
import { parseWholeNumber, UsageError } from './flags.ts';

export type TcpLimitFlags = Pick<
  TcpLimits,
  'maxConnections' | 'maxConnectionsPerClient' | 'idleTimeoutMs' | 'readTimeoutMs'
>;

/** Flag names and defaults, for node-cache-flags.ts. */
export const TCP_LIMIT_DEFAULTS = {
  'tcp-max-connections': String(DEFAULT_TCP_LIMITS.maxConnections),
  'tcp-max-connections-per-client': String(DEFAULT_TCP_LIMITS.maxConnectionsPerClient),
  'tcp-idle-timeout': `${DEFAULT_TCP_LIMITS.idleTimeoutMs / 1000}s`,
  'tcp-read-timeout': `${DEFAULT_TCP_LIMITS.readTimeoutMs / 1000}s`,
} as const;

const MAX_CONNECTIONS = 1_000_000;

function count(text: string, flag: string): number {
  return parseWholeNumber(text, flag, 1, MAX_CONNECTIONS, `a whole number 1-${MAX_CONNECTIONS}`);
}

/** Validated limits from the flags; the per-client cap may not exceed the total. */
export function parseTcpLimitFlags(get: (name: string) => string): TcpLimitFlags {
  const maxConnections = count(get('tcp-max-connections'), 'tcp-max-connections');
  const maxConnectionsPerClient = count(
    get('tcp-max-connections-per-client'),
    'tcp-max-connections-per-client',
  );
  if (maxConnectionsPerClient > maxConnections)
    throw new UsageError(
      'ERR_FLAG_VALUE',
      `-tcp-max-connections-per-client (${maxConnectionsPerClient}) exceeds -tcp-max-connections (${maxConnections})`,
    );
  const idleTimeoutMs = parseDurationMs(get('tcp-idle-timeout'), 'tcp-idle-timeout');
  const readTimeoutMs = parseDurationMs(get('tcp-read-timeout'), 'tcp-read-timeout');
  return { maxConnections, maxConnectionsPerClient, idleTimeoutMs, readTimeoutMs };
}
