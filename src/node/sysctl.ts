// Kernel settings the agent needs on the node. Only one today: net.ipv4.tcp_migrate_req (Linux
// 5.14+, IPv4 and IPv6). When the old agent of a rolling upgrade closes its TCP listener, the
// kernel resets connections still in that listener's accept queue; with migration on they move
// to the new agent's listener in the same SO_REUSEPORT group, so no TCP query is lost.

import { readFile, writeFile } from 'node:fs/promises';
import type { Logger } from '../util/log.ts';
import { errorText } from './reconciler.ts';

export const TCP_MIGRATE_REQ = '/proc/sys/net/ipv4/tcp_migrate_req';

/** Turns request migration on; a kernel without it, or a read-only /proc, is logged only. */
export async function enableTcpRequestMigration(
  log: Logger,
  path = TCP_MIGRATE_REQ,
): Promise<void> {
  try {
    if ((await readFile(path, 'utf8')).trim() === '1') return;
    await writeFile(path, '1\n');
    log.info('set net.ipv4.tcp_migrate_req=1: TCP connections move to the next agent on upgrade');
  } catch (e) {
    log.warning(
      `net.ipv4.tcp_migrate_req not set (${errorText(e)}): an upgrade may reset a TCP connection still waiting to be accepted`,
    );
  }
}
