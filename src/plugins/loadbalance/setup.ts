import type { DirectiveReader } from '../../corefile/model.ts';

export interface LoadbalanceConfig {
  readonly policy: 'round_robin';
}

/** `loadbalance [round_robin]` (CoreDNS plugin/loadbalance/setup.go; `weighted` is not here). */
export function parseLoadbalance(d: DirectiveReader): LoadbalanceConfig {
  const [policy = 'round_robin'] = d.expectArgs(0, 1);
  d.expectNoBlock();
  if (policy === 'weighted')
    throw d.error(
      'ERR_COREFILE_VALUE',
      "the 'weighted' policy is not supported (round_robin only)",
    );
  if (policy !== 'round_robin') throw d.error('ERR_COREFILE_VALUE', `unknown policy: ${policy}`);
  return { policy };
}
