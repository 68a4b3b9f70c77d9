// A scripted upstream for what knot cannot show: a negative answer whose SOA TTL is larger than
// its MINIMUM (knot serves min(TTL, MINIMUM) itself), an answer TTL over an hour, a SERVFAIL.

import { Rcode } from '../src/dns/constants.ts';
import { type FakeUpstream, startFakeUpstream } from '../test/helpers/fake-upstream.ts';
import { buildResponse, rr } from '../test/helpers/rr.ts';

export const SCRIPTED_ZONE = 'scripted.test';
const SOA = `${SCRIPTED_ZONE}. 30 IN SOA ns.${SCRIPTED_ZONE}. host.${SCRIPTED_ZONE}. 1 7200 900 1209600 5`;

export function startScriptedUpstream(): Promise<FakeUpstream> {
  return startFakeUpstream((q) => {
    const name = q.qname.toLowerCase();
    if (name === `nx.${SCRIPTED_ZONE}.`)
      return buildResponse({ query: q.wire, rcode: Rcode.NXDOMAIN, authority: [rr(SOA)] });
    if (name === `nodata.${SCRIPTED_ZONE}.`)
      return buildResponse({ query: q.wire, authority: [rr(SOA)] });
    if (name === `long.${SCRIPTED_ZONE}.`)
      return buildResponse({ query: q.wire, answer: [rr(`${name} 5000 IN A 192.0.2.50`)] });
    return buildResponse({ query: q.wire, rcode: Rcode.SERVFAIL });
  });
}
