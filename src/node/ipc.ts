// Messages between the supervisor and the DNS server child (Node IPC channel, JSON).

import type { SetupErrorCounts } from './types.ts';

/** Extra argument of a child that waits for `activate` before starting its app. */
export const STANDBY_ARG = '--standby';

/** argv[2] of the child: what it needs to start the app. */
export interface ChildConfig {
  readonly corefilePath: string;
  readonly dnsPort: number;
}

export type ToChild =
  | { readonly type: 'reload'; readonly id: number }
  | { readonly type: 'ping'; readonly id: number }
  | { readonly type: 'setupErrors'; readonly counts: SetupErrorCounts }
  | { readonly type: 'stop' }
  /** A standby child starts its app now. */
  | { readonly type: 'activate' };

export type FromChild =
  | { readonly type: 'serving' }
  /** A child started with --standby has loaded its code and waits for `activate`. */
  | { readonly type: 'standby' }
  | { readonly type: 'reloaded'; readonly id: number; readonly error?: string }
  /** ok: every listener answered a real query within the probe timeout. */
  | { readonly type: 'pong'; readonly id: number; readonly ok: boolean }
  | { readonly type: 'failed'; readonly error: string };

function typeOf(v: unknown): unknown {
  return typeof v === 'object' && v !== null && 'type' in v ? v.type : undefined;
}

const FROM_CHILD: ReadonlySet<unknown> = new Set([
  'serving',
  'standby',
  'reloaded',
  'pong',
  'failed',
]);
const TO_CHILD: ReadonlySet<unknown> = new Set([
  'reload',
  'ping',
  'setupErrors',
  'stop',
  'activate',
]);

export function isFromChild(v: unknown): v is FromChild {
  return FROM_CHILD.has(typeOf(v));
}

export function isToChild(v: unknown): v is ToChild {
  return TO_CHILD.has(typeOf(v));
}
