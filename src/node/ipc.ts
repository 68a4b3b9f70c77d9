// Messages between the supervisor and the DNS server child (Node IPC channel, JSON).

import type { SetupErrorCounts } from './types.ts';

/** argv[2] of the child: what it needs to start the app. */
export interface ChildConfig {
  readonly corefilePath: string;
  readonly dnsPort: number;
}

export type ToChild =
  | { readonly type: 'reload'; readonly id: number }
  | { readonly type: 'ping'; readonly id: number }
  | { readonly type: 'setupErrors'; readonly counts: SetupErrorCounts }
  | { readonly type: 'stop' };

export type FromChild =
  | { readonly type: 'serving' }
  | { readonly type: 'reloaded'; readonly id: number; readonly error?: string }
  /** ok: every listener answered a real query within the probe timeout. */
  | { readonly type: 'pong'; readonly id: number; readonly ok: boolean }
  | { readonly type: 'failed'; readonly error: string };

function typeOf(v: unknown): unknown {
  return typeof v === 'object' && v !== null && 'type' in v ? v.type : undefined;
}

const FROM_CHILD: ReadonlySet<unknown> = new Set(['serving', 'reloaded', 'pong', 'failed']);
const TO_CHILD: ReadonlySet<unknown> = new Set(['reload', 'ping', 'setupErrors', 'stop']);

export function isFromChild(v: unknown): v is FromChild {
  return FROM_CHILD.has(typeOf(v));
}

export function isToChild(v: unknown): v is ToChild {
  return TO_CHILD.has(typeOf(v));
}
